// Drives one sweep through the run queue: keeps `concurrency` trials queued or training, picks each new trial's
// values (grid, seeded random or TPE over the stored trials), judges trials at ASHA's rungs from the epoch reports
// and stops the ones it prunes, records every outcome, and ends the sweep when the budget is spent. It knows runs
// only through the queue (enqueue, stop, resumeFromCheckpoint, its events), so trials train wherever the queue's
// executor puts them: local processes, or workers on other machines.
//
// Everything it decides is written before it acts (a trial row before its run is queued, a rung decision before
// the stop), so a host that dies at any point leaves rows from which `start()` continues: queued trials are queued
// again, interrupted ones resume from their checkpoints, finished ones are settled from their runs.
import {
  ashaPromotes,
  isActiveTrialState,
  isFinishedRunStatus,
  isLiveRunStatus,
  lossOf,
  materialize,
  suggest,
  type EpochReport,
  type SweepPlan,
  type SweepTrial,
  type TrainingConfig,
  type TrialHistory,
} from '../../shared/index.js';
import { maxThreads } from '../engine/threads/settings.js';
import type { RunQueue } from '../runs/queue.js';
import { createRunRecord } from '../runs/recorder.js';
import type { Run, Store, SweepRecord } from '../store/index.js';

export interface RunnerContext {
  store: Store;
  queue: RunQueue;
  log(message: string): void;
  now(): number;
  /** The sweep or one of its trials changed (the manager pushes onSweepChanged). */
  changed(sweepId: number, trial: SweepTrial | null): void;
  /** The sweep completed or stopped: the runner is done. */
  ended(sweepId: number): void;
}

/** Runs a trial takes at most: a trainer that crashed is continued once, in a fork from its last checkpoint. */
export const MAX_TRIAL_ATTEMPTS = 2;

/** Interrupted because its trainer died, not because the host went away. */
function isTrainerDeath(run: Run): boolean {
  return run.statusCause === 'trainer_killed' || run.statusCause === 'trainer_crashed';
}

export class SweepRunner {
  /** Run id → trial id, for the queue's events. */
  private readonly trialOfRun = new Map<number, number>();
  private lastMark: number;
  private scheduled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopping = false;
  /** A trial's run was interrupted: the host is going away (or went away); launch nothing until started again. */
  private suspended = false;
  private detached = false;

  constructor(
    private readonly ctx: RunnerContext,
    readonly sweepId: number,
    readonly plan: SweepPlan,
  ) {
    this.lastMark = ctx.now();
  }

  get record(): SweepRecord {
    return this.ctx.store.sweeps.get(this.sweepId);
  }

  /** Run ids of the trials this runner follows. */
  runIds(): number[] {
    return [...this.trialOfRun.keys()];
  }

  /** Milliseconds run since the last time it was written. */
  liveMs(): number {
    return this.detached ? 0 : Math.max(0, this.ctx.now() - this.lastMark);
  }

  /**
   * (Re)starts a sweep whose status is running: reconciles every stored trial with its run, then fills. With
   * `resuming` (the user resumes a stopped sweep), trials whose runs the stop cut short continue too.
   */
  start(options: { resuming?: boolean } = {}): void {
    const { store, queue } = this.ctx;
    this.lastMark = this.ctx.now();
    for (const trial of store.sweeps.trials(this.sweepId)) {
      if (trial.state === 'pruned' && trial.runId !== null) {
        // Pruned, but the host went away before its run had stopped: close the run as stopped, as decided.
        const run = tryRun(store, trial.runId);
        if (run?.status === 'interrupted') this.ctx.changed(this.sweepId, (store.setRunStatus(run.id, 'stopped', { error: 'pruned by its sweep' }), store.sweeps.trial(trial.id)));
        continue;
      }
      if (!isActiveTrialState(trial.state) && trial.state !== 'interrupted') continue;
      const run = trial.runId === null ? null : tryRun(store, trial.runId);
      if (!run) {
        this.update(trial.id, { state: 'failed', error: trial.runId === null ? 'it has no run' : `its run ${trial.runId} was deleted` });
        continue;
      }
      this.trialOfRun.set(run.id, trial.id);
      if (run.status === 'queued') {
        if (!queue.isPending(run.id) && !queue.isActive(run.id)) queue.enqueue(run);
        if (trial.state !== 'queued') this.update(trial.id, { state: 'queued' });
      } else if (run.status === 'interrupted' || (run.status === 'stopped' && (trial.state === 'interrupted' || options.resuming))) {
        if (queue.isPending(run.id)) continue;
        // Continues from its latest checkpoint: metrics after it are dropped and recomputed.
        queue.resumeFromCheckpoint(run.id);
        this.update(trial.id, { state: 'queued', error: null });
      } else if (run.status === 'running' || run.status === 'paused') {
        if (trial.state !== 'running') this.update(trial.id, { state: 'running' });
      } else if (isFinishedRunStatus(run.status)) {
        // Its outcome was recorded while nothing followed the sweep (the host died in between).
        this.settle(trial.id, run);
      }
    }
    this.armTimer();
    this.schedule();
  }

  /** Stops following the queue without changing the sweep (the host is closing; a new runner continues it). */
  detach(): void {
    if (this.detached) return;
    this.mark();
    this.detached = true;
    clearTimeout(this.timer);
  }

  /**
   * Stops the sweep resumably: no new trial starts; queued trials leave the queue and training ones stop after
   * their current batch, all `interrupted` on the sweep's side, to continue from their checkpoints on resume.
   */
  async stop(reason: string): Promise<void> {
    const { store, queue } = this.ctx;
    this.stopping = true;
    this.mark();
    store.sweeps.setStatus(this.sweepId, 'stopped', reason);
    this.ctx.changed(this.sweepId, null);
    const active = store.sweeps.trials(this.sweepId).filter((t) => isActiveTrialState(t.state) && t.runId !== null);
    await Promise.all(
      active.map(async (t) => {
        try {
          await queue.stop(t.runId!);
        } catch (error) {
          this.ctx.log(`sweep ${this.sweepId}: trial ${t.number} (run ${t.runId}) could not be stopped: ${message(error)}`);
        }
        // A stop that lands before the trainer confirms is settled here; the status event settles the rest.
        const run = tryRun(store, t.runId!);
        if (run && isFinishedRunStatus(run.status)) this.settle(t.id, run);
      }),
    );
    this.detach();
    this.ctx.ended(this.sweepId);
  }

  // ---- the queue's events ----

  onEpoch(runId: number, report: EpochReport): void {
    const trialId = this.trialOfRun.get(runId);
    if (trialId === undefined || this.detached) return;
    const { store } = this.ctx;
    const trial = store.sweeps.trial(trialId);
    if (trial.state === 'pruned' || !isActiveTrialState(trial.state)) return;
    const metrics = report.metrics;
    this.update(trialId, { state: 'running', epochs: report.epoch + 1, valLoss: metrics.valLoss, valAccuracy: metrics.valAccuracy });
    const rung = this.plan.rungs.indexOf(report.epoch + 1);
    if (rung < 0) return;
    const objective = metrics[this.plan.spec.objective];
    const loss = lossOf(objective, this.plan.direction);
    const earlier = store.sweeps.rungValues(this.sweepId, rung, trialId).map((v) => lossOf(v, this.plan.direction));
    const eta = this.plan.spec.pruning.method === 'asha' ? this.plan.spec.pruning.eta : 3;
    // A decision already stored for this rung stands (a trial resumed from a checkpoint reports it again).
    const decided = store.sweeps.recordRung(trialId, { rung, epoch: report.epoch + 1, value: objective, promoted: ashaPromotes(loss, earlier, eta) });
    if (decided.promoted) {
      this.ctx.changed(this.sweepId, store.sweeps.trial(trialId));
      return;
    }
    this.update(trialId, { state: 'pruned', objective, error: null });
    void this.ctx.queue.stop(runId).catch((error: unknown) => this.ctx.log(`sweep ${this.sweepId}: could not stop pruned run ${runId}: ${message(error)}`));
  }

  onStatus(runId: number, run: Run | null): void {
    const trialId = this.trialOfRun.get(runId);
    if (trialId === undefined || this.detached) return;
    const trial = this.ctx.store.sweeps.trial(trialId);
    if (run === null) {
      this.trialOfRun.delete(runId);
      if (!['completed', 'pruned', 'diverged', 'failed', 'stopped'].includes(trial.state)) this.update(trialId, { state: 'failed', error: `its run ${runId} was deleted` });
      this.schedule();
      return;
    }
    if (run.status === 'running' || run.status === 'paused') {
      if (trial.state === 'queued') this.update(trialId, { state: 'running' });
      return;
    }
    if (run.status === 'queued') return;
    this.settle(trialId, run);
    this.schedule();
  }

  // ---- internals ----

  /** Records how a trial's run ended. */
  private settle(trialId: number, run: Run): void {
    const { store } = this.ctx;
    const trial = store.sweeps.trial(trialId);
    const final = run.finalMetrics ?? {};
    const objectiveName = this.plan.spec.objective;
    if (run.status === 'interrupted' && isTrainerDeath(run) && !this.stopping) {
      // Its trainer died while the host went on: continue the run in place, counted, so a trainer that keeps
      // dying fails the trial instead of looping.
      this.continueAfterCrash(trial, run);
    } else if (run.status === 'interrupted') {
      this.update(trialId, { state: 'interrupted' });
      if (!this.stopping) this.continueInterrupted(trialId, run.id);
    } else if (trial.state === 'pruned' && run.status !== 'completed') {
      // Stopped at its rung, as decided: pruned, with its numbers at the rung.
      // The trial keeps the epoch and value ASHA judged at its rung; the run's own record says how far its trainer got
      // before the stop reached it (a fast model may finish another epoch or two in between).
      this.update(trialId, { state: 'pruned' });
    } else if (run.status === 'completed') {
      this.update(trialId, {
        state: 'completed',
        epochs: typeof final.epochs === 'number' ? final.epochs : trial.epochs,
        valLoss: final.valLoss ?? trial.valLoss,
        valAccuracy: final.valAccuracy ?? trial.valAccuracy,
        objective: final[objectiveName] ?? (objectiveName === 'valLoss' ? trial.valLoss : trial.valAccuracy),
        // A trial continued after a crash keeps the note that says so.
        error: trial.attempts > 1 ? trial.error : null,
      });
    } else if (run.status === 'stopped') {
      if (this.stopping) this.update(trialId, { state: 'interrupted' });
      else this.update(trialId, { state: 'stopped', error: 'its run was stopped by hand' });
    } else if (run.status === 'diverged') {
      this.update(trialId, { state: 'diverged', objective: null, error: run.error });
    } else if (run.status === 'failed') {
      this.retryOrFail(trial, run);
    }
    this.mark();
  }

  /**
   * A run cut short while the sweep runs: continue it from its checkpoint. The queue refuses while the host shuts
   * down (that is what interrupts runs there): then launch nothing more; the next start continues the sweep.
   */
  private continueInterrupted(trialId: number, runId: number): void {
    try {
      this.ctx.queue.resumeFromCheckpoint(runId);
      this.update(trialId, { state: 'queued' });
    } catch {
      this.suspended = true;
    }
  }

  /** A trainer killed or crashed mid-run (the run is `interrupted`, resumable): resume it once from its checkpoint. */
  private continueAfterCrash(trial: SweepTrial, run: Run): void {
    if (this.suspended || trial.attempts >= MAX_TRIAL_ATTEMPTS) {
      this.update(trial.id, { state: 'failed', error: `run ${run.id} was interrupted (${run.statusCause}) ${trial.attempts} times: ${run.error ?? 'no reason'}` });
      return;
    }
    try {
      this.ctx.queue.resumeFromCheckpoint(run.id);
      this.update(trial.id, { state: 'queued', attempts: trial.attempts + 1, error: `run ${run.id} was interrupted (${run.statusCause}: ${run.error ?? 'no reason'}); continued from its last checkpoint` });
    } catch (error) {
      this.ctx.log(`sweep ${this.sweepId}: trial ${trial.number} could not be continued: ${message(error)}`);
      this.update(trial.id, { state: 'failed', error: run.error });
    }
  }

  /** A trainer that crashed: continue the trial once in a fork from its last checkpoint (from scratch without one). */
  private retryOrFail(trial: SweepTrial, run: Run): void {
    const { store, queue } = this.ctx;
    if (this.stopping || this.suspended || trial.attempts >= MAX_TRIAL_ATTEMPTS) {
      this.update(trial.id, { state: 'failed', error: run.error });
      return;
    }
    try {
      const next = store.tx(() => {
        const checkpoint = store.latestCheckpoint(run.id);
        const name = `${run.name ?? `run ${run.id}`} (again)`;
        const fork = checkpoint
          ? store.forkRun(checkpoint.checkpoint.id, { name })
          : store.createRun({
              projectId: run.projectId,
              modelVersionId: run.modelVersionId,
              datasetId: run.datasetId,
              config: run.config,
              backend: run.backend,
              presetId: run.presetId,
              name,
              status: 'queued',
            });
        store.sweeps.updateTrial(trial.id, { state: 'queued', runId: fork.id, attempts: trial.attempts + 1, error: `run ${run.id} failed (${run.error ?? 'no reason'}); continued in run ${fork.id}` });
        return fork;
      });
      this.trialOfRun.delete(run.id);
      this.trialOfRun.set(next.id, trial.id);
      queue.enqueue(next);
      this.ctx.changed(this.sweepId, store.sweeps.trial(trial.id));
    } catch (error) {
      this.ctx.log(`sweep ${this.sweepId}: trial ${trial.number} could not be continued: ${message(error)}`);
      this.update(trial.id, { state: 'failed', error: run.error });
    }
  }

  private schedule(): void {
    if (this.scheduled || this.detached) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      try {
        this.fill();
      } catch (error) {
        this.ctx.log(`sweep ${this.sweepId}: ${message(error)}`);
      }
    });
  }

  private timeLeftMs(record: SweepRecord): number {
    const minutes = this.plan.spec.budget.minutes;
    if (minutes === undefined) return Infinity;
    return minutes * 60_000 - (record.elapsedMs + this.liveMs());
  }

  private armTimer(): void {
    clearTimeout(this.timer);
    const left = this.timeLeftMs(this.record);
    if (!Number.isFinite(left)) return;
    this.timer = setTimeout(() => this.schedule(), Math.max(0, left) + 10);
    this.timer.unref?.();
  }

  /** Starts trials while fewer than `concurrency` are active and the budget allows; ends the sweep when it is spent. */
  private fill(): void {
    if (this.detached || this.stopping || this.suspended) return;
    const { store } = this.ctx;
    const record = this.record;
    if (record.status !== 'running') return;
    const trials = store.sweeps.trials(this.sweepId);
    let active = trials.filter((t) => isActiveTrialState(t.state)).length;
    let made = trials.length;
    const timeUp = this.timeLeftMs(record) <= 0;
    while (!timeUp && active < record.concurrency && made < this.plan.maxRuns) {
      if (this.launch(made + 1, trials)) active += 1;
      made += 1;
    }
    if (active > 0) return;
    const after = store.sweeps.trials(this.sweepId);
    if (after.some((t) => t.state === 'interrupted')) return;
    // A pruned trial's run may still be stopping (its trainer or worker finishing the batch): the sweep ends with
    // its last run, not before (each run's end calls back here).
    if (after.some((t) => t.state === 'pruned' && t.runId !== null && this.trialOfRun.has(t.runId) && isLiveRunStatus(store.getRun(t.runId).status))) return;
    const reason = timeUp ? `budget: ${this.plan.spec.budget.minutes} minutes` : this.plan.gridSize !== null && made >= this.plan.gridSize ? `grid done: ${made} points` : `budget: ${made} runs`;
    this.mark();
    store.sweeps.setStatus(this.sweepId, 'completed', reason);
    this.detach();
    this.ctx.changed(this.sweepId, null);
    this.ctx.ended(this.sweepId);
  }

  /** Makes trial `number` (from 1): its values, its run (queued) and its row, in one transaction; false if it cannot train. */
  private launch(number: number, trials: SweepTrial[]): boolean {
    const { store, queue } = this.ctx;
    const history: TrialHistory[] = trials.map((t) => ({ number: t.number - 1, params: t.params, state: t.state, objective: t.objective, epochs: t.epochs }));
    const params = suggest(this.plan, number - 1, history);
    const made = materialize(this.plan.spec.base, this.plan.parameters, params);
    const record = this.record;
    if (!made.ok) {
      const trial = store.sweeps.addTrial(this.sweepId, { number, params, state: 'failed', runId: null, error: `these values cannot train: ${made.errors.map((e) => e.message).join('; ')}` });
      trials.push(trial);
      this.ctx.changed(this.sweepId, trial);
      return false;
    }
    const { run, trial } = store.tx(() => {
      const run = createRunRecord(store, {
        projectId: record.projectId,
        spec: made.value.spec,
        dataset: this.plan.spec.base.dataset,
        config: this.trialConfig(made.value.config),
        backend: this.plan.spec.backend,
        presetId: this.plan.spec.base.from?.preset ?? null,
        name: clip(`${record.name} · trial ${number}`),
        status: 'queued',
      });
      const trial = store.sweeps.addTrial(this.sweepId, { number, params, unused: made.value.unused, state: 'queued', runId: run.id });
      return { run, trial };
    });
    trials.push(trial);
    this.trialOfRun.set(run.id, trial.id);
    try {
      queue.enqueue(run);
    } catch (error) {
      // The host is closing: the run stays queued in the store and the trial with it; the next start continues.
      this.suspended = true;
      this.ctx.log(`sweep ${this.sweepId}: trial ${number} stays queued: ${message(error)}`);
    }
    this.ctx.changed(this.sweepId, trial);
    return true;
  }

  /**
   * A trial's config with the sweep's threads per trial (recorded in its spec when it was created; capped at what
   * this machine accepts, for a sweep continued on a smaller one). A sweep from before threads keeps the base's.
   */
  private trialConfig(config: TrainingConfig): TrainingConfig {
    const threads = this.plan.spec.threads;
    return threads === undefined ? config : { ...config, threads: Math.min(threads, maxThreads()) };
  }

  private update(trialId: number, patch: Parameters<Store['sweeps']['updateTrial']>[1]): void {
    const trial = this.ctx.store.sweeps.updateTrial(trialId, patch);
    this.ctx.changed(this.sweepId, trial);
  }

  /** Writes the run time since the last mark. */
  private mark(): void {
    if (this.detached) return;
    const now = this.ctx.now();
    this.ctx.store.sweeps.addElapsed(this.sweepId, now - this.lastMark);
    this.lastMark = now;
  }
}

function tryRun(store: Store, id: number): Run | null {
  try {
    return store.getRun(id);
  } catch {
    return null;
  }
}

function clip(name: string, max = 200): string {
  return name.length <= max ? name : `${name.slice(0, max - 1)}…`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
