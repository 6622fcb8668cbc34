// `layerwise worker`: a stateless process on any machine that takes runs from the studio's BullMQ queue in Redis
// and trains each in a trainer process of its own (the same trainer and client the studio uses locally), reporting
// back through Redis. It keeps no database (lint keeps core/store/ out of core/worker/) and only connects out.
// Lock and stall settings: ../redis/queue.ts.
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'bullmq';
import type { BackendName } from '../../shared/index.js';
import { forkTrainer, type TrainerProcess } from '../engine/trainer-client.js';
import { BULL_PREFIX, checkRedis, closeRedis, LOCK_DURATION_MS, MAX_STALLS, openRedis, QUEUE_NAME, STALLED_INTERVAL_MS, within, type RedisTarget } from '../redis/index.js';
import { Attempt, LostJobError } from './attempt.js';
import { ControlBoard } from './control.js';
import { DatasetCache } from './datasets.js';

export interface WorkerOptions {
  target: RedisTarget;
  /** Runs trained at once (one trainer process each). */
  concurrency: number;
  /** What `auto` means on this worker; runs that name a backend get that backend. */
  autoBackend?: BackendName;
  log: (message: string) => void;
  spawnTrainer?: () => TrainerProcess;
  /** Where datasets from the studio's files are cached (default: the OS temp folder). */
  cacheDir?: string;
}

export interface RunningWorker {
  /** `host:pid`, as the studio's log names the worker that has a run. */
  readonly name: string;
  /** Runs in training now. */
  active(): number;
  /** Hands every run back to the queue (its trainer killed; another worker continues it), then disconnects. */
  close(): Promise<void>;
}

/** Connects (a RedisConnectError says why it cannot) and starts taking jobs. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { target, log } = options;
  await checkRedis(target);
  const name = `${hostname()}:${process.pid}`;
  const outage = { down: false };
  const connect = (role: string) => openRedis(target, { name: `layerwise-worker-${role}:${name}`, log, outage });
  const redis = connect('commands');
  const subscriber = connect('control');
  const bull = connect('queue');
  const board = new ControlBoard(redis, subscriber, log);
  await board.start();
  const attempts = new Map<string, Attempt>();
  let closing = false;
  const deps = {
    redis,
    board,
    datasets: new DatasetCache(redis, options.cacheDir ?? join(tmpdir(), 'layerwise-worker', 'datasets')),
    spawnTrainer: options.spawnTrainer ?? (() => forkTrainer({ ownProcessGroup: true })),
    autoBackend: options.autoBackend,
    workerName: name,
    log,
  };

  const worker = new Worker(
    QUEUE_NAME,
    async (job, token) => {
      const attempt = new Attempt(deps, job, token!);
      attempts.set(job.id!, attempt);
      if (closing) attempt.handBack();
      try {
        const outcome = await attempt.run();
        log(`run ${outcome.runId} (job ${job.id}): ${outcome.status}`);
        return outcome;
      } catch (error) {
        if (error instanceof LostJobError) log(`job ${job.id}: ${error.message}`);
        throw error;
      } finally {
        attempts.delete(job.id!);
      }
    },
    {
      connection: bull,
      prefix: BULL_PREFIX,
      concurrency: options.concurrency,
      lockDuration: LOCK_DURATION_MS,
      stalledInterval: STALLED_INTERVAL_MS,
      maxStalledCount: MAX_STALLS,
      name,
      autorun: false,
    },
  );
  worker.on('active', (job) => log(`took job ${job.id} (attempt ${job.attemptsStarted})`));
  worker.on('lockRenewalFailed', (ids) => {
    for (const id of ids) attempts.get(id)?.lose('its lock could not be renewed in time, so the job may go to another worker');
  });
  let lastError = '';
  worker.on('error', (error) => {
    // A lost job's processor ends with BullMQ unable to move it (it is no longer ours): expected, said once.
    const text = error.message;
    if (text !== lastError && !/Missing lock|could not renew lock/i.test(text)) log(`queue: ${text}`);
    lastError = text;
  });
  void worker.run();
  await worker.waitUntilReady();

  return {
    name,
    active: () => attempts.size,
    close: async () => {
      closing = true;
      for (const attempt of attempts.values()) attempt.handBack();
      // Handing back needs Redis; without it, the jobs' locks lapse and another worker's stalled check recovers them.
      if (!(await within(worker.close(), LOCK_DURATION_MS))) log('Redis did not answer: the runs go to another worker once their locks lapse');
      await closeRedis([redis, subscriber, bull]);
    },
  };
}
