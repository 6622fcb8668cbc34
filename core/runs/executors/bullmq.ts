// Runs trained by workers on other machines: the studio's run queue as a BullMQ producer. The queue keeps deciding
// which runs train (its order, its concurrency: how many runs are out at the workers at once) and records every
// report through its RunRecorder, exactly as for local trainers; this executor only hands each run to BullMQ as a
// job (./remote-job.ts) and reads what the job's attempts report (./event-reader.ts: the studio's event stream,
// and BullMQ's queue events for batch progress and for jobs BullMQ failed itself). The studio stays the only writer
// of its database; workers keep nothing.
//
// When the studio closes, runs at the workers go on (`detachAll`, then the queue's shutdown records them
// `interrupted`); when it starts again, `reconcile` compares the jobs it had out (its own record in Redis) with the
// store: runs still out are taken back into the queue and attach to their jobs, catching up on what was reported
// meanwhile; jobs whose run is gone or already finished are cancelled and cleaned up.
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { isFinishedRunStatus, type TrainRequest } from '../../../shared/index.js';
import type { TrainerListeners } from '../../engine/trainer-client.js';
import { BULL_PREFIX, checkRedis, closeRedis, CONTROL_CHANNEL, jobKeys, MAX_STALLS, openRedis, QUEUE_NAME, studioKeys, within, type RedisTarget } from '../../redis/index.js';
import type { Store } from '../../store/index.js';
import type { RunExecutor, TrainerJob } from '../executor.js';
import { EventReader } from './event-reader.js';
import { RemoteJob, type RemoteJobContext } from './remote-job.js';

export interface BullmqExecutorOptions {
  store: Store;
  target: RedisTarget;
  /** This studio's id (its data folder's): names its event stream and its jobs. */
  studioId: string;
  log: (message: string) => void;
}

export class BullmqExecutor implements RunExecutor {
  /** Settles once Redis answered (or with a RedisConnectError saying why not; connections keep retrying meanwhile). */
  readonly ready: Promise<{ version: string }>;
  private readonly byJob = new Map<string, RemoteJob>();
  private readonly lastOfRun = new Map<number, RemoteJob>();
  private readonly commands;
  private readonly blocking;
  /** BullMQ's connections: it does not close connections it was given. */
  private readonly bullConnections;
  /** BullMQ's queue and queue events, made once Redis first answers (BullMQ cannot close them before that). */
  private readonly bull: Promise<{ queue: Queue; events: QueueEvents }>;
  private bullMade: { queue: Queue; events: QueueEvents } | undefined;
  private readonly reader: EventReader;
  private readonly context: RemoteJobContext;
  private detaching = false;
  private closed = false;

  constructor(private readonly options: BullmqExecutorOptions) {
    const { target, studioId, log } = options;
    const outage = { down: false };
    const connect = (role: string) => openRedis(target, { name: `layerwise-studio-${role}:${studioId}`, log, outage });
    this.commands = connect('commands');
    this.blocking = connect('events');
    this.bullConnections = [connect('queue'), connect('queue-events')] as const;
    this.reader = new EventReader(this.blocking, this.commands, studioKeys(studioId).events, log);
    this.context = {
      store: options.store,
      redis: this.commands,
      queue: async () => (await this.bull).queue,
      reader: this.reader,
      studio: studioId,
      maxStalls: MAX_STALLS,
      log,
      detaching: () => this.detaching,
      register: (job) => this.byJob.set(job.jobId, job),
      forget: (job) => {
        if (this.byJob.get(job.jobId) === job) this.byJob.delete(job.jobId);
        void this.dropUnusedDatasets().catch(() => undefined);
      },
    };
    this.reader.start();
    this.ready = checkRedis(target);
    this.ready.catch(() => undefined);
    this.bull = this.connectQueue();
    this.bull.catch(() => undefined);
  }

  /** Waits until Redis answers (trying again every few seconds), then makes BullMQ's queue and its events. */
  private async connectQueue(): Promise<{ queue: Queue; events: QueueEvents }> {
    let attempt = this.ready;
    for (;;) {
      try {
        await attempt;
        break;
      } catch {
        if (this.closed) throw new Error('the connection to the workers is closed');
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        if (this.closed) throw new Error('the connection to the workers is closed');
        attempt = checkRedis(this.options.target);
      }
    }
    if (this.closed) throw new Error('the connection to the workers is closed');
    const queue = new Queue(QUEUE_NAME, { connection: this.bullConnections[0], prefix: BULL_PREFIX });
    const events = new QueueEvents(QUEUE_NAME, { connection: this.bullConnections[1], prefix: BULL_PREFIX });
    events.on('progress', ({ jobId, data }) => this.byJob.get(jobId)?.onProgress(data));
    events.on('failed', ({ jobId, failedReason }) => void this.byJob.get(jobId)?.onQueueFailed(failedReason));
    events.on('error', () => undefined);
    queue.on('error', () => undefined);
    this.bullMade = { queue, events };
    return this.bullMade;
  }

  get studioId(): string {
    return this.options.studioId;
  }

  start(runId: number, request: TrainRequest, listeners: TrainerListeners): TrainerJob {
    if (this.closed) throw new Error('the connection to the workers is closed');
    const job = new RemoteJob(this.context, runId, request, listeners, this.lastOfRun.get(runId)?.cleaned);
    this.lastOfRun.set(runId, job);
    void job.cleaned.then(() => this.lastOfRun.get(runId) === job && this.lastOfRun.delete(runId));
    return job;
  }

  /** The worker training a run now (as its latest attempt claimed it); null before a worker took it. */
  workerOf(runId: number): { worker: string; pid: number; attempt: number } | null {
    return this.lastOfRun.get(runId)?.placement ?? null;
  }

  /**
   * After a restart: the runs this studio still has out at the workers that the store now calls `interrupted` (the
   * caller queues them to continue; they attach to their jobs). Cancels and cleans up jobs whose run was deleted or
   * has finished meanwhile. Reports of jobs the studio does not know are dropped from now on.
   */
  async reconcile(): Promise<number[]> {
    const { store, log } = this.options;
    const out = await this.commands.hgetall(studioKeys(this.studioId).jobs);
    const adopt: number[] = [];
    for (const [runText, jobId] of Object.entries(out)) {
      const runId = Number(runText);
      let status: string | null;
      try {
        status = store.getRun(runId).status;
      } catch {
        status = null;
      }
      if (status === 'interrupted') adopt.push(runId);
      else if (status === null || isFinishedRunStatus(status)) {
        log(`job ${jobId} of run ${runId} is cancelled: ${status === null ? 'the run no longer exists' : `the run is already ${status}`}`);
        await this.cancel(runId, jobId);
      }
      // `queued`: the queue starts it and it attaches to its job then.
    }
    this.reader.keepOnly((job) => this.byJob.has(job) || Object.values(out).includes(job));
    if (adopt.length) log(`run${adopt.length === 1 ? '' : 's'} ${adopt.join(', ')} went on at the workers while the studio was closed: catching up`);
    return adopt;
  }

  /** From now on a stop leaves the run training at its worker (the studio is closing). */
  detachAll(): void {
    this.detaching = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // With Redis there this takes milliseconds; without it, nothing waits for it.
    const closing = Promise.allSettled([this.reader.close(), this.bullMade?.events.close(), this.bullMade?.queue.close()]);
    if (this.commands.status === 'ready') await within(closing, 5_000);
    // A command still waiting for an absent Redis never settles; nothing waits on it (the read loop stops with `closed`).
    await closeRedis([this.commands, this.blocking, ...this.bullConnections]);
  }

  /** Stops and removes a job the studio no longer wants, and its keys. */
  private async cancel(runId: number, jobId: string): Promise<void> {
    const keys = jobKeys(jobId);
    await this.commands.multi().hset(keys.control, 'state', 'kill').publish(CONTROL_CHANNEL, jobId).exec();
    const job = await (await this.bull).queue.getJob(jobId);
    if (job && (await job.getState()) !== 'active') await job.remove().catch(() => undefined);
    const blobs = (await this.commands.mget(...keys.latestAll)).filter((k): k is string => k !== null);
    // The control state stays a while so that a worker still training it reads `kill`.
    await this.commands
      .multi()
      .del(keys.owner, keys.blob('studio'), ...keys.latestAll, ...blobs)
      .expire(keys.control, 3600)
      .hdel(studioKeys(this.studioId).jobs, String(runId))
      .exec();
  }

  /** Dataset files in Redis that no job of this studio still trains on. */
  private async dropUnusedDatasets(): Promise<void> {
    const keys = studioKeys(this.studioId);
    const stored: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.commands.scan(cursor, 'MATCH', keys.dataset('*'), 'COUNT', 100);
      cursor = next;
      stored.push(...found);
    } while (cursor !== '0');
    if (!stored.length) return;
    const inUse = new Set<string>();
    for (const runText of Object.keys(await this.commands.hgetall(keys.jobs))) {
      try {
        const source = this.options.store.getDataset(this.options.store.getRun(Number(runText)).datasetId).source;
        if (source.kind === 'csv' || source.kind === 'images') inUse.add(keys.dataset(source.fingerprint));
      } catch {
        // A run deleted meanwhile uses nothing.
      }
    }
    const unused = stored.filter((k) => !inUse.has(k));
    if (unused.length) await this.commands.del(...unused);
  }
}

/** A new studio id (kept in the data folder's settings). */
export function newStudioId(): string {
  return randomUUID();
}
