// One run handed to the workers: the studio's side of its BullMQ job. It enqueues the job (or, for a run the studio
// had out before it restarted, attaches to the job that is still there), turns the reports of the job's attempts
// into the queue's listener calls, in stream order, and passes on pause, resume, stop and kill.
//
// Attempts and tokens. Every attempt (the first, and one per worker that died or handed the job back) starts with a
// `claim` under its BullMQ lock token, naming the checkpoint epoch it continues after. From a claim on, the studio
// ignores every report of earlier tokens (the fence in Redis already stops a dead worker's late reports; this is the
// second line) and drops the metrics recorded after that epoch: they are trained again by the new attempt, so no
// epoch is recorded twice. Metric rows are keyed by (run, name, epoch, step), and checkpoints replace the run's
// previous one of their kind, so replaying a report is harmless.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  decodeWire,
  parseJobPayload,
  parseWorkerProgress,
  type CheckpointRef,
  type JobPayload,
  type TrainRequest,
  type TrainSummary,
  type WorkerMessage,
} from '../../../shared/index.js';
import type { TrainerListeners, TrainerOutcome } from '../../engine/trainer-client.js';
import { CONTROL_CHANNEL, getCheckpoint, jobIdFor, jobKeys, putBytes, putCheckpoint, studioKeys, type ControlState } from '../../redis/index.js';
import type { Store } from '../../store/index.js';
import type { TrainerJob } from '../executor.js';
import type { EventReader, StreamEntry } from './event-reader.js';

export interface RemoteJobContext {
  store: Store;
  redis: Redis;
  /** BullMQ's queue, once Redis has answered (made only then: see BullmqExecutor). */
  queue(): Promise<Queue>;
  reader: EventReader;
  studio: string;
  /** How many times a job may be recovered after its worker stopped answering (the workers' setting). */
  maxStalls: number;
  log(message: string): void;
  /** The studio is closing: a stop then detaches (the run goes on at its worker) instead of stopping it. */
  detaching(): boolean;
  /** The job has an id: route its progress and queue events to it. */
  register(job: RemoteJob): void;
  /** The job's outcome is recorded and its keys are gone. */
  forget(job: RemoteJob): void;
}

/** How long a finished job's record stays in BullMQ's failed set (for a studio that was closed meanwhile). */
const KEEP_FAILED_S = 7 * 24 * 3600;

export class RemoteJob implements TrainerJob {
  readonly done: Promise<TrainerOutcome>;
  readonly pid = undefined;
  jobId = '';
  /** The worker whose attempt reports now (from its claim). */
  placement: { worker: string; pid: number; attempt: number } | null = null;
  private resolveDone!: (outcome: TrainerOutcome) => void;
  private outcome: TrainerOutcome | null = null;
  private current: string | null = null;
  private readonly superseded = new Set<string>();
  private unacked: string[] = [];
  private detached = false;
  private submitted: Promise<void>;
  private cleanedUp!: () => void;
  /** Resolves once the job's outcome is recorded and its keys are gone (or it was detached, or never submitted). */
  readonly cleaned = new Promise<void>((resolve) => (this.cleanedUp = resolve));

  constructor(
    private readonly ctx: RemoteJobContext,
    readonly runId: number,
    private readonly request: TrainRequest,
    private readonly listeners: TrainerListeners,
    /** The run's previous job, whose clean-up must finish before this one looks up the run's job. */
    before: Promise<void> = Promise.resolve(),
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.submitted = before.then(() => this.submit()).catch((error: unknown) => {
      this.jobId = '';
      this.settle({ ok: false, error: { code: 'queue_unavailable', message: `the run could not be handed to the workers: ${text(error)}` } });
    });
  }

  // ---- TrainerJob ----

  pause(): void {
    this.setControl('pause');
  }

  resume(): void {
    this.setControl('run');
  }

  stop(): void {
    if (this.ctx.detaching()) return this.detach();
    this.setControl('stop');
    // A job no worker has taken yet is simply taken out of the queue.
    void this.submitted.then(() => this.removeIfWaiting()).catch((error: unknown) => this.ctx.log(`run ${this.runId}: ${text(error)}`));
  }

  kill(): void {
    this.setControl('kill');
    this.settle({ ok: false, error: { code: 'trainer_died', message: 'the studio ended the run on its worker (it did not stop in time)' } });
  }

  release(): void {
    if (this.detached) return this.cleanedUp();
    void this.submitted
      .then(() => (this.jobId ? this.cleanUp() : undefined))
      .catch((error: unknown) => this.ctx.log(`run ${this.runId}: could not clean up job ${this.jobId} in Redis: ${text(error)}`))
      .finally(() => this.cleanedUp());
  }

  // ---- from the executor ----

  /** Batch progress of an attempt (BullMQ job progress): shown, never recorded. */
  onProgress(data: unknown): void {
    if (this.outcome || typeof data !== 'string') return;
    let parsed;
    try {
      parsed = parseWorkerProgress(decodeWire(data));
    } catch {
      return;
    }
    if (!parsed.ok || this.superseded.has(parsed.value.token)) return;
    this.listeners.progress?.(parsed.value.progress);
  }

  /** BullMQ failed the job itself (it stalled too often, or its payload was refused): the run fails, saying why. */
  async onQueueFailed(reason: string): Promise<void> {
    await this.ctx.reader.sync();
    if (this.outcome) return;
    const stalled = /stalled more than allowable limit/.test(reason);
    this.settle({
      ok: false,
      error: {
        code: stalled ? 'workers_lost' : 'job_failed',
        message: stalled
          ? `the workers training this run stopped answering ${this.ctx.maxStalls + 1} times (${reason}); its checkpoints are kept: fork it from the last one to go on`
          : `the queue failed the run's job: ${reason}`,
      },
    });
  }

  /** The studio is closing: the run keeps training at its worker and this studio picks it up again at its next start. */
  detach(): void {
    if (this.outcome) return;
    this.detached = true;
    this.ctx.reader.detach(this.jobId);
    this.settle({ ok: false, error: { code: 'detached', message: 'the studio closed; the run goes on at its worker' } });
  }

  // ---- internals ----

  private settle(outcome: TrainerOutcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.resolveDone(outcome);
  }

  private async submit(): Promise<void> {
    const { redis, store } = this.ctx;
    const keys = studioKeys(this.ctx.studio);
    const existing = await redis.hget(keys.jobs, String(this.runId));
    this.jobId = existing ?? jobIdFor(this.ctx.studio, this.runId, randomBytes(6).toString('hex'));
    // The studio's own record first, so that it never has a job out that it does not know of.
    if (!existing) await redis.hset(keys.jobs, String(this.runId), this.jobId);
    this.ctx.register(this);
    this.ctx.reader.attach(this.jobId, (entry) => this.onEntry(entry));
    if (existing) {
      await this.ctx.reader.sync();
      if (this.outcome) return;
      const job = await (await this.ctx.queue()).getJob(this.jobId);
      const state = job ? await job.getState() : 'missing';
      if (job && state === 'failed') return this.onQueueFailed(job.failedReason ?? 'no reason given');
      if (job && state !== 'completed' && state !== 'unknown') {
        this.ctx.log(`run ${this.runId}: picked up its job ${this.jobId} again (${state})`);
        const control = await redis.hget(jobKeys(this.jobId).control, 'state');
        if (control === 'pause' && store.getRun(this.runId).status === 'running') this.listeners.paused?.();
        return;
      }
      // The job ended without an outcome reported, or is gone (never added, or Redis lost it): hand the run out again
      // (BullMQ ignores a job added under the id of one it still keeps).
      if (job) await job.remove();
    }
    await this.enqueue();
  }

  private async enqueue(): Promise<void> {
    const { redis } = this.ctx;
    const job = jobKeys(this.jobId);
    let resume: CheckpointRef | null = null;
    const tx = redis.multi();
    if (this.request.resumeFrom) {
      const { manifest } = this.request.resumeFrom;
      resume = { key: job.blob('studio'), epoch: manifest.epoch, kind: manifest.kind };
      putCheckpoint(tx, resume.key, this.request.resumeFrom);
    }
    const dataset = this.request.dataset;
    let datasetKey: string | null = null;
    if (dataset.kind === 'csv' || dataset.kind === 'images') {
      datasetKey = studioKeys(this.ctx.studio).dataset(dataset.fingerprint);
      if (!(await redis.exists(datasetKey))) putBytes(tx, datasetKey, 'data', readFileSync(dataset.file));
    }
    for (const [error] of (await tx.exec()) ?? []) if (error) throw error;
    const { resumeFrom: _bytes, ...request } = this.request;
    const payload: JobPayload = { protocol: 1, studio: this.ctx.studio, runId: this.runId, request, resume, datasetKey };
    // Checked as the worker will check it, after the same trip through JSON.
    const checked = parseJobPayload(JSON.parse(JSON.stringify(payload)));
    if (!checked.ok) throw new Error(`its job payload is not valid: ${checked.errors.map((e) => e.message).join('; ')}`);
    await (await this.ctx.queue()).add('train', payload, { jobId: this.jobId, attempts: 1, removeOnComplete: true, removeOnFail: { age: KEEP_FAILED_S } });
  }

  private async onEntry(entry: StreamEntry): Promise<void> {
    const { token, message, attempt } = entry.envelope;
    if (this.outcome || this.superseded.has(token)) {
      this.unacked.push(entry.id);
      return;
    }
    if (token !== this.current) {
      // A new owner: the fence in Redis orders owners, so every earlier token is done reporting.
      if (this.current !== null) this.superseded.add(this.current);
      this.current = token;
    }
    this.unacked.push(entry.id);
    await this.handle(message, attempt);
  }

  private async handle(message: WorkerMessage, attempt: number): Promise<void> {
    const { listeners } = this;
    switch (message.type) {
      case 'claim': {
        this.placement = { worker: message.worker, pid: message.pid, attempt };
        const from = message.resumeEpoch;
        // What the new attempt trains again is recorded again: drop what was recorded after its starting point.
        const dropped = this.ctx.store.metrics.discardAfter(this.runId, from ?? -1);
        if (attempt > 1 || dropped > 0) {
          this.ctx.log(`run ${this.runId}: worker ${message.worker} took it over (attempt ${attempt}) ${from === null ? 'from the start' : `after epoch ${from + 1}`}`);
        }
        return;
      }
      case 'started':
        return listeners.started?.({ backend: message.backend, device: message.device, ...(message.fallbackReason ? { fallbackReason: message.fallbackReason } : {}) });
      case 'init':
        return listeners.init?.(message.layers);
      case 'epoch':
        return listeners.epoch?.(message.report);
      case 'checkpoint': {
        // Gone means a newer checkpoint of the same kind replaced it; that one's report follows, and the store keeps only the newest too.
        const checkpoint = await getCheckpoint(this.ctx.redis, message.key);
        if (checkpoint) listeners.checkpoint?.(checkpoint);
        // Everything reported up to here is now in the store.
        const ids = this.unacked;
        this.unacked = [];
        await this.ctx.reader.ack(ids);
        return;
      }
      case 'paused':
        return listeners.paused?.();
      case 'resumed':
        return listeners.resumed?.();
      case 'finished':
        return this.settle({ ok: true, summary: message.summary });
      case 'failed':
        return this.settle({ ok: false, error: message.error });
    }
  }

  private setControl(state: ControlState): void {
    void this.submitted
      .then(() => (this.jobId ? this.ctx.redis.multi().hset(jobKeys(this.jobId).control, 'state', state).publish(CONTROL_CHANNEL, this.jobId).exec() : null))
      .catch((error: unknown) => this.ctx.log(`run ${this.runId}: could not tell its worker to ${state}: ${text(error)}`));
  }

  private async removeIfWaiting(): Promise<void> {
    if (this.outcome || !this.jobId) return;
    const job = await (await this.ctx.queue()).getJob(this.jobId);
    if (!job) {
      // Gone without an outcome (Redis lost its data: restarted without persistence): nothing will ever report.
      await this.ctx.reader.sync();
      this.settle({ ok: false, error: { code: 'job_lost', message: `its job ${this.jobId} is no longer in Redis (was Redis restarted without persistence?); its checkpoints are kept: fork it from the last one to go on` } });
      return;
    }
    if (!['waiting', 'prioritized', 'delayed', 'paused'].includes(await job.getState())) return;
    try {
      await job.remove();
    } catch {
      return; // A worker took it meanwhile: it reads the stop when it claims the job.
    }
    // Never trained by this job: like a stopped run that waited in the local queue, it keeps what it has and no final metrics.
    const { store } = this.ctx;
    const run = store.getRun(this.runId);
    if (run.status === 'queued' || run.status === 'running' || run.status === 'paused') store.setRunStatus(this.runId, 'stopped');
    this.settle({ ok: true, summary: notTrained(this.request) });
  }

  private async cleanUp(): Promise<void> {
    const { redis } = this.ctx;
    await this.ctx.reader.ack(this.unacked);
    this.unacked = [];
    this.ctx.reader.detach(this.jobId);
    const keys = studioKeys(this.ctx.studio);
    const job = jobKeys(this.jobId);
    const blobs = (await redis.mget(...job.latestAll)).filter((k): k is string => k !== null);
    // The control state stays a while: a worker still on the job (it was killed here) reads `kill` from it.
    const tx = redis.multi().del(job.owner, job.blob('studio'), ...job.latestAll, ...blobs).expire(job.control, 3600);
    // Only if the record still names this job (a run queued again has a new one).
    tx.eval("if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0", 1, keys.jobs, String(this.runId), this.jobId);
    await tx.exec();
    const left = await (await this.ctx.queue()).getJob(this.jobId);
    if (left && (await left.getState()) !== 'active') await left.remove().catch(() => undefined);
    this.ctx.forget(this);
  }
}

/** The outcome of a job taken out of the queue before a worker trained it: recorded as nothing (the run is already stopped). */
function notTrained(request: TrainRequest): TrainSummary {
  return {
    status: 'stopped',
    epochs: request.resumeFrom ? request.resumeFrom.manifest.epoch + 1 : 0,
    backend: request.backend === 'auto' ? 'cpu' : request.backend,
    device: '',
    samplesPerSecond: 0,
    final: null,
    confusion: null,
    classNames: [],
    bestEpoch: null,
    weights: 'last',
  };
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
