// The run queue: runs wait in the store (status `queued`) and execute in trainer processes, at most
// `concurrency` at a time (default 1: one trainer has the whole CPU or GPU). Every message a trainer
// sends is recorded by a RunRecorder before it is pushed as an event. A trainer that dies (signal, exit
// code, out of memory) interrupts its run with that cause (resumable from its last checkpoint) and the queue
// moves on; an error the trainer reports fails its run. A write the disk refuses (full, failing) ends the
// trainer at once and interrupts the run (`disk_full`): nothing is kept half-written and nothing after the
// failure is shown as if it were kept. A queued run survives a
// restart of the host (its order too, in the runs' queue_position), and a run that was training when the host
// went away is `interrupted` and continues from its last checkpoint when asked (`resumeFromCheckpoint`).
//
// Where trainers run is the executor's business (./executor.ts): local processes by default (child_process.fork
// of the built trainer; Electron main passes a utilityProcess adapter), so the queue never depends on Electron
// and another executor can hand runs to other machines. What each trainer is asked comes from the stored run
// (./trainer-request.ts), the same request every other path builds.
import type { QueueState } from '../../shared/api/contract.js';
import { EventHub } from '../../shared/api/events.js';
import { isActiveRunStatus, isFinishedRunStatus, isLiveRunStatus, isResumableRunStatus, type TrainRequest } from '../../shared/index.js';
import type { TrainerOutcome } from '../engine/trainer-client.js';
import { isDiskError, isStoreError, type Run, type Store } from '../store/index.js';
import { checkpointDto, runDto } from './dto.js';
import { conflict } from './errors.js';
import { processExecutor, type RunExecutor, type SpawnTrainer, type TrainerJob } from './executor.js';
import { OutcomeRetry } from './outcome-retry.js';
import { memoryQueueOrder, orderQueued, type QueueOrderStore } from './queue-order.js';
import { combineListeners, RunRecorder, trainerDeath } from './recorder.js';
import { trainRequestFor } from './trainer-request.js';

export interface RunQueueOptions {
  store: Store;
  /** Where run and queue events go (the services share the hub with the transports). */
  events?: EventHub;
  /** Where trainers run: local processes (`processExecutor(spawnTrainer)`) by default. */
  executor?: RunExecutor;
  /** Starts one local trainer process when no executor is given; `forkTrainer()` by default. */
  spawnTrainer?: SpawnTrainer;
  /** How many trainers may run at once (default 1). */
  concurrency?: number;
  /** Keeps the order of queued runs across restarts (in memory by default; the host keeps it in the store). */
  order?: QueueOrderStore;
  /** Where problems that are not a caller's fault are reported (a failed write, a trainer that will not start). */
  log?: (message: string) => void;
  /** How long a shutdown lets trainers stop on their own before killing them (default 15 s). */
  shutdownTimeoutMs?: number;
  /** How long pause, resume and stop wait for the trainer to confirm (default 30 s). */
  confirmTimeoutMs?: number;
  /**
   * Whether `start()` takes up the runs left queued in the store (default true). A CLI command that trains only
   * its own runs (`layerwise sweep`) passes false, so runs the studio queued wait for the studio.
   */
  adoptQueued?: boolean;
}

export const SHUTDOWN_REASON = 'Layerwise shut down while this run was training; resuming continues from its last checkpoint';

interface ActiveRun {
  runId: number;
  projectId: number;
  job: TrainerJob;
  stopRequested: boolean;
  shuttingDown: boolean;
  /** Resolves once the outcome is recorded, with the run as it ended (null if it could not be read). */
  settled: Promise<Run | null>;
  waiters: Set<() => void>;
}

interface PendingRun {
  runId: number;
  projectId: number;
  /** An interrupted or stopped run to continue from its checkpoint (not persisted: a restart forgets it). */
  resume: boolean;
}

export class RunQueue {
  readonly events: EventHub;
  private readonly store: Store;
  private readonly executor: RunExecutor;
  private readonly order: QueueOrderStore;
  private readonly log: (message: string) => void;
  private readonly shutdownTimeoutMs: number;
  private readonly confirmTimeoutMs: number;
  private concurrencyLimit: number;
  private readonly adoptQueued: boolean;
  private readonly active = new Map<number, ActiveRun>();
  private pending: PendingRun[] = [];
  private started = false;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  /** Outcomes the disk refused to take: retried until it does (the run then becomes interrupted with its cause). */
  private readonly unrecorded: OutcomeRetry;

  constructor(options: RunQueueOptions) {
    this.store = options.store;
    this.events = options.events ?? new EventHub();
    this.executor = options.executor ?? processExecutor(options.spawnTrainer);
    this.order = options.order ?? memoryQueueOrder();
    this.log = options.log ?? ((message) => process.stderr.write(`layerwise: ${message}\n`));
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 15_000;
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 30_000;
    this.concurrencyLimit = checkConcurrency(options.concurrency ?? 1);
    this.unrecorded = new OutcomeRetry(this.log, (run) => this.emitStatus(run));
    this.adoptQueued = options.adoptQueued ?? true;
  }

  /** Picks up the runs left queued in the store (oldest first, or as last ordered) and starts trainers. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const queued = this.adoptQueued ? this.store.listRuns({ status: 'queued' }) : [];
    const projectOf = new Map(queued.map((r) => [r.id, r.projectId]));
    const known = new Set(this.pending.map((p) => p.runId));
    const ordered = orderQueued(
      queued.map((r) => r.id).filter((id) => !known.has(id)),
      this.order.load(),
    );
    this.pending.push(...ordered.map((runId) => ({ runId, projectId: projectOf.get(runId)!, resume: false })));
    this.changed();
  }

  get concurrency(): number {
    return this.concurrencyLimit;
  }

  state(): QueueState {
    return { concurrency: this.concurrencyLimit, active: [...this.active.keys()], pending: this.pending.map((p) => p.runId) };
  }

  isActive(runId: number): boolean {
    return this.active.has(runId);
  }

  isPending(runId: number): boolean {
    return this.pending.some((p) => p.runId === runId);
  }

  /** Runs of this project that have a trainer. */
  activeInProject(projectId: number): number[] {
    return [...this.active.values()].filter((a) => a.projectId === projectId).map((a) => a.runId);
  }

  /** The trainer's process id (tests kill it to prove a dying trainer fails only its own run). */
  trainerPid(runId: number): number | undefined {
    return this.active.get(runId)?.job.pid;
  }

  /** Adds a run the store holds as `queued` to the end of the queue. */
  enqueue(run: Run): void {
    if (run.status !== 'queued') throw conflict(`run ${run.id} is ${run.status}, not queued`, { id: run.id, status: run.status });
    if (this.closing) throw conflict('Layerwise is shutting down: the run stays queued and starts at the next launch', { id: run.id });
    if (!this.isPending(run.id) && !this.active.has(run.id)) this.pending.push({ runId: run.id, projectId: run.projectId, resume: false });
    this.emitStatus(run);
    this.changed();
  }

  /** Queues an interrupted or stopped run to continue from its latest checkpoint (from scratch without one). */
  resumeFromCheckpoint(runId: number): Run {
    const run = this.store.getRun(runId);
    if (this.active.has(runId) || this.isPending(runId)) throw conflict(`run ${runId} is already ${this.active.has(runId) ? 'training' : 'in the queue'}`, { id: runId });
    if (this.unrecorded.has(runId)) throw conflict(`run ${runId} ended but how could not be recorded yet (the disk is full); it can resume once that is recorded`, { id: runId });
    // Refused with the reason and, where one verifies, the checkpoint a new run could continue from (runs.fork).
    const check = this.store.checkResume(runId);
    if (!check.ok) {
      const fork = check.forkFrom ? `; a new run can continue from its checkpoint ${check.forkFrom.id} (epoch ${check.forkFrom.epoch + 1}) with runs.fork` : '';
      throw conflict(`${check.reason}${fork}`, { id: runId, status: run.status, forkCheckpointId: check.forkFrom?.id ?? null, forkCheckpointEpoch: check.forkFrom?.epoch ?? null });
    }
    if (this.closing) throw conflict('Layerwise is shutting down', { id: runId });
    this.pending.push({ runId, projectId: run.projectId, resume: true });
    this.changed();
    return this.store.getRun(runId);
  }

  /** Pauses a training run within one batch; resolves once the trainer has paused. */
  async pause(runId: number): Promise<Run> {
    const active = this.active.get(runId);
    const run = this.store.getRun(runId);
    if (!active) throw conflict(`run ${runId} is ${run.status}${this.isPending(runId) ? ' (waiting in the queue)' : ''}; only a running run can be paused`, { id: runId, status: run.status });
    if (run.status === 'paused') return run;
    if (active.stopRequested || active.shuttingDown) throw conflict(`run ${runId} is stopping`, { id: runId });
    active.job.pause();
    await this.waitFor(active, () => this.store.getRun(runId).status === 'paused');
    return this.store.getRun(runId);
  }

  /** Continues a paused run; resolves once the trainer has resumed. */
  async resume(runId: number): Promise<Run> {
    const active = this.active.get(runId);
    const run = this.store.getRun(runId);
    if (!active) {
      const hint = isResumableRunStatus(run.status) ? ': continue it from its checkpoint with runs.resumeFromCheckpoint' : '; only a paused run can be resumed';
      throw conflict(`run ${runId} is ${run.status}${hint}`, { id: runId, status: run.status });
    }
    // Sent even when not yet paused: it cancels a pause the trainer has not reached yet.
    active.job.resume();
    if (run.status === 'paused') await this.waitFor(active, () => this.store.getRun(runId).status !== 'paused');
    return this.store.getRun(runId);
  }

  /**
   * Stops a run: a training one after its current batch (resolves once its outcome is recorded), a queued
   * one is taken out of the queue (`stopped`), an interrupted one is closed as `stopped`.
   */
  async stop(runId: number): Promise<Run> {
    const active = this.active.get(runId);
    if (active) {
      active.stopRequested = true;
      active.job.stop();
      await Promise.race([active.settled, delay(this.confirmTimeoutMs)]);
      return this.store.getRun(runId);
    }
    const run = this.store.getRun(runId);
    const index = this.pending.findIndex((p) => p.runId === runId);
    if (index >= 0) {
      const [entry] = this.pending.splice(index, 1);
      const after = entry!.resume ? run : this.store.setRunStatus(runId, 'stopped');
      this.emitStatus(after);
      this.changed();
      return after;
    }
    if (run.status === 'interrupted' || run.status === 'queued') {
      const after = this.store.setRunStatus(runId, 'stopped');
      this.emitStatus(after);
      return after;
    }
    throw conflict(`run ${runId} is ${run.status}${isFinishedRunStatus(run.status) ? ' already' : ''}; there is nothing to stop`, { id: runId, status: run.status });
  }

  /** Takes runs out of the queue without touching their records (they are about to be deleted). */
  forget(runIds: Iterable<number>): void {
    const drop = new Set(runIds);
    for (const id of drop) {
      if (this.active.has(id)) throw conflict(`run ${id} is training: stop it first`, { id });
    }
    const before = this.pending.length;
    this.pending = this.pending.filter((p) => !drop.has(p.runId));
    if (this.pending.length !== before) this.changed();
  }

  /** Moves these waiting runs to the front, in this order; the others keep theirs behind them. */
  reorder(runIds: readonly number[]): QueueState {
    const byId = new Map(this.pending.map((p) => [p.runId, p]));
    for (const id of runIds) {
      if (!byId.has(id)) {
        const run = this.store.getRun(id);
        throw conflict(`run ${id} is not waiting in the queue (it is ${this.active.has(id) ? 'training' : run.status})`, { id, status: run.status });
      }
    }
    const moved = new Set(runIds);
    this.pending = [...runIds.map((id) => byId.get(id)!), ...this.pending.filter((p) => !moved.has(p.runId))];
    this.changed();
    return this.state();
  }

  /** Changes how many trainers may run at once; lowering it lets running trainers finish. */
  setConcurrency(concurrency: number): QueueState {
    this.concurrencyLimit = checkConcurrency(concurrency);
    this.changed();
    return this.state();
  }

  /**
   * Stops every trainer after its current batch (killing those that take longer than the timeout) and
   * records their runs as `interrupted`, resumable from their last checkpoint. Queued runs stay queued.
   */
  async shutdown(): Promise<void> {
    this.closing = true;
    const actives = [...this.active.values()];
    for (const a of actives) {
      a.shuttingDown = true;
      a.job.stop();
    }
    const timer = setTimeout(() => {
      for (const a of actives) if (this.active.has(a.runId)) a.job.kill();
    }, this.shutdownTimeoutMs);
    try {
      await Promise.all(actives.map((a) => a.settled));
    } finally {
      clearTimeout(timer);
      this.unrecorded.stop();
    }
  }

  /** Resolves when no run is training or waiting (tests). */
  idle(): Promise<void> {
    if (this.active.size === 0 && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---- internals ----

  private changed(): void {
    this.order.save(this.pending.filter((p) => !p.resume).map((p) => p.runId));
    this.pump();
    this.events.emit('onQueueChanged', this.state(), (e) => this.log(`an onQueueChanged listener failed: ${message(e)}`));
    if (this.active.size === 0 && this.pending.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
    }
  }

  private pump(): void {
    while (this.started && !this.closing && this.active.size < this.concurrencyLimit && this.pending.length > 0) {
      this.launch(this.pending.shift()!);
    }
  }

  private launch(entry: PendingRun): void {
    const { store } = this;
    const id = entry.runId;
    let run: Run;
    let request: TrainRequest;
    try {
      if (entry.resume) {
        const point = store.beginResume(id);
        run = point.run;
        request = trainRequestFor(store, run, point.checkpoint);
      } else {
        run = store.getRun(id);
        if (run.status !== 'queued') {
          this.log(`run ${id} was in the queue but is ${run.status}; skipped`);
          return;
        }
        // A fork (runs.fork) is queued with a copy of the checkpoint it continues from; other queued runs have none.
        request = trainRequestFor(store, run, store.latestCheckpoint(id));
      }
    } catch (error) {
      this.log(`run ${id} could not start: ${message(error)}`);
      if (entry.resume) {
        // Nothing changed (beginResume is one transaction): the run stays resumable, and says why it did not start.
        this.emitStatus(store.getRun(id));
        return;
      }
      this.failUnstarted(id, `could not start: ${message(error)}`);
      return;
    }
    const active: ActiveRun = {
      runId: id,
      projectId: run.projectId,
      job: undefined as unknown as TrainerJob,
      stopRequested: false,
      shuttingDown: false,
      settled: Promise.resolve(null),
      waiters: new Set(),
    };
    const recorder = new RunRecorder(store, id, {
      statusChanged: (r) => {
        this.emitStatus(r);
        notify(active);
      },
      checkpointSaved: (c) => this.emit('onRunCheckpoint', { runId: id, checkpoint: checkpointDto(c) }),
      warning: (w) => {
        this.log(`run ${id}: ${w.message} (it keeps training)`);
        this.emitStatus(store.getRun(id));
      },
      writeFailed: (failure) => {
        // No silent loss: what the trainer reports from now on could not be kept either, so it is ended now and
        // the run is recorded interrupted (resumable from its last stored checkpoint) when its trainer has gone.
        this.log(`run ${id}: could not ${failure.what}: ${failure.message}; its trainer is ended and the run ${failure.cause === 'record_failed' ? 'fails' : 'interrupted (resumable)'}`);
        active.job?.kill();
      },
    });
    // Pushed only once recorded: after a failed write nothing more of this trainer is shown as if it were kept.
    const listeners = combineListeners(recorder.listeners(), {
      progress: (progress) => recorder.failed || this.emit('onRunProgress', { runId: id, progress }),
      epoch: (report) => recorder.failed || this.emit('onRunEpoch', { runId: id, report }),
    });
    this.active.set(id, active);
    try {
      active.job = this.executor.start(id, request, listeners);
    } catch (error) {
      this.active.delete(id);
      this.log(`run ${id}: the trainer process could not be started: ${message(error)}`);
      this.failUnstarted(id, `the trainer process could not be started: ${message(error)}`);
      return;
    }
    active.settled = active.job.done.then((outcome) => this.settle(active, recorder, outcome));
    // A write that failed while the trainer was being started (markRunStarted) ends it at once.
    if (recorder.failed) active.job.kill();
    if (entry.resume) this.emitStatus(run);
  }

  /** Records the outcome; never throws (it runs in the trainer channel's callbacks). */
  private settle(active: ActiveRun, recorder: RunRecorder, outcome: TrainerOutcome): Run | null {
    const id = active.runId;
    let run: Run | null;
    try {
      const current = this.store.getRun(id);
      const unfinished = isActiveRunStatus(current.status);
      const cutShort = !outcome.ok || outcome.summary.status === 'stopped';
      if (recorder.failed && unfinished) {
        run = recorder.finish(outcome);
      } else if (active.shuttingDown && cutShort && isLiveRunStatus(current.status)) {
        run = this.store.setRunStatus(id, 'interrupted', { error: SHUTDOWN_REASON, cause: 'shutdown' });
      } else if (active.shuttingDown && cutShort && current.status === 'queued') {
        // Its trainer never started training: the run stays queued for the next launch.
        run = current;
      } else if (unfinished) {
        if (!outcome.ok) this.log(`run ${id} ${trainerDeath(outcome.error) ? 'was interrupted' : 'failed'}: ${outcome.error.message}`);
        run = recorder.finish(outcome);
      } else {
        run = current;
      }
    } catch (error) {
      run = null;
      if (isDiskError(error) || isStoreError(error, 'ReadOnly')) {
        // The disk refuses even this small write: keep trying; the run is interrupted as soon as it can be said.
        this.log(`run ${id}: could not record how it ended (${message(error)}); retrying until the disk takes it`);
        this.unrecorded.add(id, () => recorder.finish(outcome));
      } else {
        this.log(`run ${id}: could not record how it ended: ${message(error)}`);
        run = this.failUnstarted(id, `could not record how it ended: ${message(error)}`, 'record_failed');
      }
    }
    this.active.delete(id);
    if (run) this.emitStatus(run);
    notify(active);
    active.job.release();
    this.changed();
    return run;
  }

  private failUnstarted(id: number, reason: string, cause: 'not_started' | 'record_failed' = 'not_started'): Run | null {
    try {
      const run = this.store.finishRun(id, { status: 'failed', error: reason, cause });
      this.emitStatus(run);
      return run;
    } catch (error) {
      this.log(`run ${id}: could not be marked failed: ${message(error)}`);
      return null;
    }
  }

  private waitFor(active: ActiveRun, done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        active.waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (!this.active.has(active.runId) || done()) finish();
      };
      const timer = setTimeout(finish, this.confirmTimeoutMs);
      active.waiters.add(check);
      check();
    });
  }

  private emitStatus(run: Run): void {
    this.emit('onRunStatus', { runId: run.id, status: run.status, run: runDto(run) });
  }

  private emit: EventHub['emit'] = (name, payload) => {
    this.events.emit(name, payload, (e) => this.log(`an ${name} listener failed: ${message(e)}`));
  };
}

function notify(active: ActiveRun): void {
  for (const check of [...active.waiters]) check();
}

function checkConcurrency(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > 16) throw new RangeError(`concurrency must be an integer in [1, 16] (got ${n})`);
  return n;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
