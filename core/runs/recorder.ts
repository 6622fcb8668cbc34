// Connects a training run to the store: the run's record is created before training starts, every epoch's
// metrics and every checkpoint are written as they arrive (one transaction each), and the outcome closes
// the record. Used by the CLI and by the host's run queue, so both record runs the same way.
import {
  checkRunawayLoss,
  datasetRefShape,
  datasetRefSplit,
  initLayerMetricName,
  LAYER_STATS,
  layerMetricName,
  STEP_METRICS,
  type DatasetRef,
  type EpochReport,
  type FinalMetricName,
  type InterruptedCause,
  type LayerStat,
  type LossName,
  type ModelSpec,
  type RunWarning,
  type TrainingConfig,
  type TrainSummary,
  type WireError,
  withPeak,
} from '../../shared/index.js';
import type { TrainerListeners, TrainerOutcome } from '../engine/trainer-client.js';
import { isDiskError, isStoreError, type Checkpoint, type MetricPoint, type Run, type RunReport, type Store } from '../store/index.js';

export interface NewRunRecord {
  projectId: number;
  spec: ModelSpec;
  dataset: DatasetRef;
  config: TrainingConfig;
  backend: string;
  presetId?: string | null;
  name?: string | null;
  parentModelVersionId?: number | null;
  status?: 'queued' | 'running';
}

/** Keeps the exact spec and data of the run (deduplicated by content), then creates the run. */
export function createRunRecord(store: Store, input: NewRunRecord): Run {
  const version = store.saveModelVersion(input.projectId, input.spec, { parentId: input.parentModelVersionId ?? null });
  const dataset = store.saveDataset(input.projectId, { source: input.dataset, split: splitOf(input.dataset) });
  return store.createRun({
    projectId: input.projectId,
    modelVersionId: version.id,
    datasetId: dataset.id,
    config: input.config,
    backend: input.backend,
    presetId: input.presetId ?? null,
    name: input.name ?? null,
    status: input.status ?? 'queued',
  });
}

/** The engine's fixed splits, recorded so a dataset row says how it was cut. */
export function splitOf(dataset: DatasetRef): { train: number; validation: number; test: number; seed: string } {
  return datasetRefSplit(dataset);
}

/** The points of one epoch under the shared metric names (shared/runs/metric-names.ts). */
export function epochPoints(report: EpochReport): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const [name, value] of Object.entries(report.metrics)) {
    if (typeof value === 'number') points.push({ name, epoch: report.epoch, value });
  }
  for (const s of report.steps) {
    points.push({ name: STEP_METRICS.loss, epoch: s.epoch, step: s.step, value: s.loss });
    points.push({ name: STEP_METRICS.gradNorm, epoch: s.epoch, step: s.step, value: s.gradNorm });
  }
  for (const l of report.layers) {
    for (const stat of LAYER_STATS) {
      points.push({ name: layerMetricName(l.path, stat), epoch: report.epoch, value: l[stat] });
    }
  }
  return points;
}

/** The statistics of the freshly initialised model, as one point (epoch 0) per layer and statistic. */
export function initPoints(layers: readonly LayerStat[]): MetricPoint[] {
  return layers.flatMap((l) => LAYER_STATS.map((stat) => ({ name: initLayerMetricName(l.path, stat), epoch: 0, value: l[stat] })));
}

export function finalMetricsOf(summary: TrainSummary): Partial<Record<FinalMetricName, number>> {
  const out: Partial<Record<FinalMetricName, number>> = { epochs: summary.epochs, samplesPerSecond: summary.samplesPerSecond };
  if (summary.final) Object.assign(out, summary.final);
  if (summary.bestEpoch !== null) out.bestEpoch = summary.bestEpoch;
  return out;
}

/** The run's test report from the trainer's summary; null when it evaluated nothing (diverged, or an older trainer). */
export function reportOf(summary: TrainSummary): Omit<RunReport, 'runId'> | null {
  const evaluation = summary.evaluation;
  if (!summary.final || !evaluation) return null;
  return {
    classNames: summary.classNames,
    inputShape: evaluation.inputShape,
    confusion: summary.confusion,
    misclassified: evaluation.misclassified,
    misclassifiedCount: evaluation.misclassifiedCount,
    bestEpoch: summary.bestEpoch,
    weights: summary.weights,
    parameters: evaluation.parameters,
  };
}

/** A write that failed while recording a run: the run cannot go on without losing what it reports. */
export interface RecordFailure {
  /** `disk_full` / `write_failed`: the disk; the run is interrupted and resumes once it is fixed. `record_failed`: anything else; the run fails. */
  cause: 'disk_full' | 'write_failed' | 'record_failed';
  /** What was being recorded: `an epoch`, `a checkpoint`, … */
  what: string;
  message: string;
}

/** What a recorder tells its owner after each write (the run queue turns these into pushed events). */
export interface RecorderHooks {
  /** A status change was recorded (started, paused, resumed). */
  statusChanged?(run: Run): void;
  checkpointSaved?(checkpoint: Checkpoint): void;
  /** A new warning was recorded on the run (a runaway loss); the run keeps training. */
  warning?(warning: RunWarning): void;
  /**
   * A write failed. The recorder records nothing more from this trainer (what it would write after a lost
   * checkpoint or epoch is recomputed on resume), and the owner must end the trainer now; `finish` then records
   * the run as interrupted (the disk) or failed (anything else) with the reason. Called once. Without this hook
   * the error is thrown from the listener.
   */
  writeFailed?(failure: RecordFailure): void;
}

export class RunRecorder {
  private failure: RecordFailure | null = null;
  private lossWatch: LossWatch | undefined;

  constructor(
    private readonly store: Store,
    readonly runId: number,
    private readonly hooks: RecorderHooks = {},
  ) {}

  /** The write that failed, if one did. */
  get failed(): RecordFailure | null {
    return this.failure;
  }

  private guard<A extends unknown[]>(what: string, fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      if (this.failure) return;
      try {
        fn(...args);
      } catch (error) {
        this.failure = recordFailure(error, what);
        if (!this.hooks.writeFailed) throw error;
        this.hooks.writeFailed(this.failure);
      }
    };
  }

  /** Listeners that write what the trainer reports; combine them with the caller's own. */
  listeners(): TrainerListeners {
    const status = (run: Run) => this.hooks.statusChanged?.(run);
    return {
      started: this.guard('record the start', (info) => status(this.store.markRunStarted(this.runId, { backend: info.backend, device: info.device }))),
      init: this.guard('record the statistics at initialisation', (layers) => {
        this.store.appendMetrics(this.runId, initPoints(layers));
      }),
      epoch: this.guard('record an epoch', (report) => {
        this.store.appendMetrics(this.runId, epochPoints(report));
        this.watchLoss(report);
      }),
      checkpoint: this.guard('record a checkpoint', (checkpoint) => {
        const saved = this.store.saveCheckpoint(this.runId, {
          epoch: checkpoint.manifest.epoch,
          kind: checkpoint.manifest.kind,
          weights: checkpoint.weights,
          optimizer: checkpoint.optimizer,
          manifest: JSON.parse(JSON.stringify(checkpoint.manifest)),
        });
        this.hooks.checkpointSaved?.(saved);
      }),
      paused: this.guard('record the pause', () => status(this.store.setRunStatus(this.runId, 'paused'))),
      resumed: this.guard('record the resume', () => status(this.store.setRunStatus(this.runId, 'running'))),
    };
  }

  /**
   * Records how the run ended. A failed write ends it interrupted (`disk_full`, `write_failed`: resumable) or failed
   * (`record_failed`), whatever the trainer said; a trainer that died (a signal, or an exit without an outcome)
   * interrupts it; an error the trainer reported fails it. Throws when even this write fails (the disk is still
   * full): the run stays as it was, and the next open of the data folder finds it interrupted.
   */
  finish(outcome: TrainerOutcome): Run {
    const failure = this.failure;
    if (failure) {
      const message = `could not ${failure.what}: ${failure.message}`;
      if (failure.cause === 'record_failed') return this.store.finishRun(this.runId, { status: 'failed', error: message, cause: 'record_failed' });
      const checkpoint = this.store.listCheckpoints(this.runId).reduce<Checkpoint | null>((a, c) => (a === null || c.epoch > a.epoch ? c : a), null);
      const from = checkpoint ? `its last checkpoint (epoch ${checkpoint.epoch + 1})` : 'the start (it has no checkpoint)';
      const fix = failure.cause === 'disk_full' ? 'once there is space again' : 'once the disk takes writes again';
      return this.interrupt(failure.cause, `${message}; ${fix}, resuming continues from ${from}`);
    }
    if (!outcome.ok) {
      const died = trainerDeath(outcome.error);
      if (died) return this.interrupt(died, `${outcome.error.message}; resume continues from its last checkpoint`);
      return this.store.finishRun(this.runId, { status: 'failed', error: `${outcome.error.message}`, cause: 'trainer_error' });
    }
    const { summary } = outcome;
    return this.store.finishRun(this.runId, {
      status: summary.status,
      finalMetrics: finalMetricsOf(summary),
      error: summary.status === 'diverged' ? (summary.reason ?? null) : null,
      report: reportOf(summary),
    });
  }

  /**
   * Records the run interrupted; when the disk refuses even that, the outcome is deferred (kept in the folder's
   * lock file until the database takes it: later, at close, or at the next open) and the error is thrown on.
   */
  private interrupt(cause: InterruptedCause, error: string): Run {
    try {
      return this.store.setRunStatus(this.runId, 'interrupted', { error, cause });
    } catch (e) {
      if (isDiskError(e) || isStoreError(e, 'ReadOnly')) this.store.deferRunOutcome(this.runId, { cause, error });
      throw e;
    }
  }

  /** Flags a runaway training loss (once; later epochs raise its peak), without stopping the run. */
  private watchLoss(report: EpochReport): void {
    const loss = report.metrics.loss;
    if (typeof loss !== 'number' || !Number.isFinite(loss)) return;
    const watch = (this.lossWatch ??= lossWatchFor(this.store, this.runId));
    if (report.epoch === 0) watch.firstLoss = loss;
    if (watch.warning) {
      const raised = withPeak(watch.warning, report.epoch, loss);
      if (raised !== watch.warning) this.store.saveRunWarning(this.runId, (watch.warning = raised));
      return;
    }
    const warning = checkRunawayLoss({ loss: watch.loss, classes: watch.classes, firstLoss: watch.firstLoss, epoch: report.epoch, value: loss });
    if (!warning) return;
    this.store.saveRunWarning(this.runId, (watch.warning = warning));
    this.hooks.warning?.(warning);
  }
}

interface LossWatch {
  loss: LossName;
  classes: number;
  firstLoss: number | null;
  warning: RunWarning | null;
}

/** What the runaway check needs, read once per recorder: the loss, the classes, and (for a resumed run) epoch 0's loss and the warning so far. */
function lossWatchFor(store: Store, runId: number): LossWatch {
  const run = store.getRun(runId);
  const { spec } = store.getModelVersion(run.modelVersionId);
  const { classes } = datasetRefShape(store.getDataset(run.datasetId).source);
  const series = store.metricSeries(runId, ['loss'])[0];
  const at0 = series ? series.epochs.indexOf(0) : -1;
  const firstLoss = series && at0 >= 0 && Number.isFinite(series.values[at0]!) ? series.values[at0]! : null;
  return { loss: spec.loss, classes, firstLoss, warning: (run.warnings ?? []).find((w) => w.kind === 'runaway_loss') ?? null };
}

/** A trainer that died without reporting an outcome: how (a signal, or a crash), or null for an error it reported. */
export function trainerDeath(error: WireError): 'trainer_killed' | 'trainer_crashed' | null {
  if (error.code !== 'trainer_died') return null;
  const signal = (error.details as { signal?: unknown } | null | undefined)?.signal;
  return typeof signal === 'string' && signal.length > 0 ? 'trainer_killed' : 'trainer_crashed';
}

function recordFailure(error: unknown, what: string): RecordFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (isStoreError(error, 'DiskFull')) return { cause: 'disk_full', what, message };
  if (isDiskError(error) || isStoreError(error, 'ReadOnly') || isStoreError(error, 'DatabaseCorrupt')) return { cause: 'write_failed', what, message };
  return { cause: 'record_failed', what, message };
}

/** Calls every listener set in order, so recording and display can both see each event. */
export function combineListeners(...sets: TrainerListeners[]): TrainerListeners {
  const keys = ['started', 'progress', 'init', 'epoch', 'checkpoint', 'paused', 'resumed'] as const;
  const out: TrainerListeners = {};
  for (const key of keys) {
    const fns = sets.map((s) => s[key]).filter((f): f is NonNullable<typeof f> => !!f);
    if (fns.length) (out as Record<string, unknown>)[key] = (arg: never) => fns.forEach((f) => (f as (a: never) => void)(arg));
  }
  return out;
}
