// One attempt at one job: a worker took a run from the queue. It checks the payload (the same schemas the studio
// used), claims the job (its lock token becomes the job's owner: an earlier attempt, if one is still alive somewhere,
// can no longer report), picks the newest checkpoint kept for the job, says so (`claim`), and trains in a trainer
// process of its own through the same client the studio uses locally. Everything the trainer reports goes back in
// order through the fence; batch progress goes as BullMQ job progress (already coalesced to ~100 ms by the trainer,
// flushed at every epoch end), latest-wins so a slow link never queues stale progress. Control (pause, resume,
// stop, kill) arrives through the ControlBoard.
//
// An attempt ends by reporting the outcome (`finished` or `failed`), by losing the job (its lock lapsed and another
// worker claimed it: the trainer is killed at once and nothing more is reported), or by handing it back (the worker
// is shutting down: the trainer is killed and the job returns to the queue for another worker, which continues from
// the last checkpoint).
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  decodeWire,
  encodeWire,
  parseJobPayload,
  parseWorkerEnvelope,
  type BackendName,
  type CheckpointPayload,
  type JobPayload,
  type TrainRequest,
  type WorkerEnvelope,
  type WorkerMessage,
  type WorkerProgress,
} from '../../shared/index.js';
import { TrainerHandle, type TrainerProcess } from '../engine/trainer-client.js';
import { checkpointEpoch, claimJob, commitCheckpointFenced, getCheckpoint, jobKeys, publishFenced, putCheckpoint, STAGE_TTL_S, studioKeys, type ControlState } from '../redis/index.js';
import type { ControlBoard } from './control.js';
import type { DatasetCache } from './datasets.js';

export interface AttemptDeps {
  redis: Redis;
  board: ControlBoard;
  datasets: DatasetCache;
  spawnTrainer(): TrainerProcess;
  /** What a run asking for `auto` trains on here (a run naming a backend gets that backend). */
  autoBackend: BackendName | undefined;
  workerName: string;
  log(message: string): void;
}

/** The attempt no longer owns its job: nothing it did after that was reported. */
export class LostJobError extends Error {
  override name = 'LostJobError';
}

export class Attempt {
  private handle: TrainerHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lostReason: string | null = null;
  private handingBack = false;
  private applied: ControlState = 'run';
  private events = '';
  private runId = 0;
  private progressBusy = false;
  private nextProgress: WorkerProgress | undefined;

  constructor(
    private readonly deps: AttemptDeps,
    readonly job: Job,
    readonly token: string,
  ) {}

  get lost(): boolean {
    return this.lostReason !== null;
  }

  /** Trains the job; resolves with the run's outcome once it is reported, or throws (lost, handed back, unusable payload). */
  async run(): Promise<{ runId: number; status: string }> {
    const parsed = parseJobPayload(this.job.data);
    if (!parsed.ok) throw new UnrecoverableError(`the job's payload is not valid: ${parsed.errors.map((e) => e.message).join('; ')}`);
    const payload = parsed.value;
    this.events = studioKeys(payload.studio).events;
    this.runId = payload.runId;
    const jobId = this.job.id!;
    const { control, latest } = await claimJob(this.deps.redis, jobId, this.token);

    let request: TrainRequest;
    let resume: CheckpointPayload | null;
    try {
      resume = await this.resumePoint(payload, latest);
      request = { ...payload.request, dataset: await this.deps.datasets.localize(payload.request.dataset, payload.datasetKey) };
    } catch (error) {
      // No claim: nothing was recomputed, so the studio keeps every epoch it has.
      return this.report({ type: 'failed', error: { code: 'worker_setup', message: `worker ${this.deps.workerName} could not prepare the run: ${message(error)}` } }, 'failed');
    }
    await this.publish({ type: 'claim', worker: this.deps.workerName, pid: process.pid, resumeEpoch: resume ? resume.manifest.epoch : null });
    if (control === 'kill') return this.report({ type: 'failed', error: { code: 'killed', message: 'the studio ended this run before it started' } }, 'failed');
    if (this.handingBack) return this.handBackNow();
    if (request.backend === 'auto' && this.deps.autoBackend) request.backend = this.deps.autoBackend;
    if (resume) request.resumeFrom = resume;

    this.handle = new TrainerHandle(this.deps.spawnTrainer(), request, {
      started: (info) =>
        this.publish({ type: 'started', backend: info.backend as BackendName, device: info.device, ...(info.fallbackReason ? { fallbackReason: info.fallbackReason } : {}) }),
      progress: (progress) => this.sendProgress({ token: this.token, progress }),
      init: (layers) => this.publish({ type: 'init', layers }),
      epoch: (report) => this.publish({ type: 'epoch', report }),
      checkpoint: (checkpoint) => this.enqueue(() => this.commitCheckpoint(jobId, checkpoint)),
      paused: () => this.publish({ type: 'paused' }),
      resumed: () => this.publish({ type: 'resumed' }),
    });
    this.control(control ?? 'run');
    const unwatch = this.deps.board.watch(jobId, (state) => this.control(state));
    const outcome = await this.handle.done;
    unwatch();
    await this.chain;
    if (this.handingBack) return this.handBackNow();
    if (this.lostReason) throw new LostJobError(this.lostReason);
    return outcome.ok ? this.report({ type: 'finished', summary: outcome.summary }, outcome.summary.status) : this.report({ type: 'failed', error: outcome.error }, 'failed');
  }

  /** The job is no longer this attempt's (its lock lapsed): kill the trainer, report nothing more. */
  lose(reason: string): void {
    if (this.lostReason) return;
    this.lostReason = reason;
    this.deps.log(`job ${this.job.id} (run ${this.runId}): ${reason}; its trainer is stopped and another worker continues the run`);
    this.handle?.kill();
  }

  /** The worker is shutting down: kill the trainer and put the job back in the queue for another worker. */
  handBack(): void {
    this.handingBack = true;
    this.handle?.kill();
  }

  // ---- internals ----

  private control(state: ControlState): void {
    if (state === this.applied || !this.handle) return;
    this.applied = state;
    if (state === 'pause') this.handle.pause();
    else if (state === 'run') this.handle.resume();
    else if (state === 'stop') this.handle.stop();
    else this.handle.kill();
  }

  /** The newest checkpoint kept for this job (its own, from an earlier attempt, or the one the studio staged). */
  private async resumePoint(payload: JobPayload, latest: (string | null)[]): Promise<CheckpointPayload | null> {
    const candidates = [...new Set([...latest.filter((k): k is string => k !== null), ...(payload.resume ? [payload.resume.key] : [])])];
    let best: { key: string; epoch: number } | null = null;
    for (const key of candidates) {
      const epoch = await checkpointEpoch(this.deps.redis, key);
      if (epoch !== null && (!best || epoch > best.epoch)) best = { key, epoch };
    }
    if (!best) {
      if (payload.resume) throw new Error(`the checkpoint the run continues from (epoch ${payload.resume.epoch + 1}) is no longer in Redis`);
      return null;
    }
    const checkpoint = await getCheckpoint(this.deps.redis, best.key);
    if (!checkpoint) throw new Error(`the checkpoint of epoch ${best.epoch + 1} disappeared from Redis while it was read`);
    return checkpoint;
  }

  private envelope(message: WorkerMessage): string {
    const wrap = (m: WorkerMessage) => encodeWire({ job: this.job.id!, runId: this.runId, token: this.token, attempt: Math.max(1, this.job.attemptsStarted), message: m } satisfies WorkerEnvelope);
    const text = wrap(message);
    // Checked here as the studio will check it: a report it would refuse (a studio of another version, a field the
    // protocol does not carry yet) fails the run loudly, naming the field, instead of leaving a gap or a run that never ends.
    const checked = parseWorkerEnvelope(decodeWire(text));
    if (checked.ok) return text;
    this.handle?.kill();
    const why = checked.errors.map((e) => e.message).join('; ').slice(0, 2000);
    return wrap({ type: 'failed', error: { code: 'protocol', message: `the worker could not send its ${message.type} report (${why}): are the studio and the worker the same version?` } });
  }

  private publish(message: WorkerMessage): Promise<void> {
    return this.enqueue(() => publishFenced(this.deps.redis, this.job.id!, this.events, this.token, this.envelope(message)));
  }

  /** Runs the reports one after another, in the order the trainer made them; a refused report means the job is lost. */
  private enqueue(send: () => Promise<boolean>): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.lostReason) return;
      try {
        if (!(await send())) this.lose('another worker has taken this job over');
      } catch (error) {
        this.lose(`reporting to Redis failed: ${message(error)}`);
      }
    });
    return this.chain;
  }

  private async commitCheckpoint(jobId: string, checkpoint: CheckpointPayload): Promise<boolean> {
    const keys = jobKeys(jobId);
    const stage = keys.stage(randomUUID());
    const blob = keys.blob(randomUUID());
    const tx = this.deps.redis.multi();
    putCheckpoint(tx, stage, checkpoint);
    tx.expire(stage, STAGE_TTL_S);
    for (const [error] of (await tx.exec()) ?? []) if (error) throw error;
    const { epoch, kind } = checkpoint.manifest;
    return commitCheckpointFenced(this.deps.redis, { job: jobId, events: this.events, token: this.token, stage, blob, kind, message: this.envelope({ type: 'checkpoint', epoch, kind, key: blob }) });
  }

  private sendProgress(progress: WorkerProgress): void {
    // Latest wins, but the step losses of a message it replaces are carried over: the live chart draws every step.
    const pending = this.nextProgress;
    this.nextProgress = pending ? { ...progress, progress: { ...progress.progress, losses: [...pending.progress.losses, ...progress.progress.losses] } } : progress;
    if (this.progressBusy) return;
    this.progressBusy = true;
    void (async () => {
      while (this.nextProgress && !this.lostReason) {
        const next = this.nextProgress;
        this.nextProgress = undefined;
        // Best effort: progress is shown, never recorded, and the next one replaces it.
        await this.job.updateProgress(encodeWire(next)).catch(() => undefined);
      }
      this.progressBusy = false;
    })();
  }

  private async report(final: WorkerMessage, status: string): Promise<{ runId: number; status: string }> {
    await this.publish(final);
    if (this.lostReason) throw new LostJobError(this.lostReason);
    return { runId: this.runId, status };
  }

  private async handBackNow(): Promise<never> {
    await this.job.moveToWait(this.token);
    this.deps.log(`job ${this.job.id} (run ${this.runId}) handed back to the queue: another worker continues it from its last checkpoint`);
    // BullMQ's way of saying "the job was moved elsewhere, do not complete or fail it".
    throw new WaitingError();
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
