// Connects a training run to the store: the run's record is created before training starts, every epoch's
// metrics and every checkpoint are written as they arrive (one transaction each), and the outcome closes
// the record. Used by the CLI and by the host's run queue, so both record runs the same way.
import {
  datasetRefSplit,
  initLayerMetricName,
  LAYER_STATS,
  layerMetricName,
  STEP_METRICS,
  type DatasetRef,
  type EpochReport,
  type FinalMetricName,
  type LayerStat,
  type ModelSpec,
  type TrainingConfig,
  type TrainSummary,
} from '../../shared/index.js';
import type { TrainerListeners, TrainerOutcome } from '../engine/trainer-client.js';
import type { Checkpoint, MetricPoint, Run, RunReport, Store } from '../store/index.js';

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

/** What a recorder tells its owner after each write (the run queue turns these into pushed events). */
export interface RecorderHooks {
  /** A status change was recorded (started, paused, resumed). */
  statusChanged?(run: Run): void;
  checkpointSaved?(checkpoint: Checkpoint): void;
  /**
   * A write failed. Without this hook the error is thrown from the listener (the CLI's behaviour); with
   * it, the error is handed here and the trainer's other messages keep being recorded: a listener runs
   * inside the trainer channel's message handler, where a throw would take the whole host down.
   */
  error?(error: unknown, what: string): void;
}

export class RunRecorder {
  constructor(
    private readonly store: Store,
    readonly runId: number,
    private readonly hooks: RecorderHooks = {},
  ) {}

  private guard<A extends unknown[]>(what: string, fn: (...args: A) => void): (...args: A) => void {
    const onError = this.hooks.error;
    if (!onError) return fn;
    return (...args: A) => {
      try {
        fn(...args);
      } catch (error) {
        onError(error, what);
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

  finish(outcome: TrainerOutcome): Run {
    if (!outcome.ok) return this.store.finishRun(this.runId, { status: 'failed', error: `${outcome.error.message}` });
    const { summary } = outcome;
    return this.store.finishRun(this.runId, {
      status: summary.status,
      finalMetrics: finalMetricsOf(summary),
      error: summary.status === 'diverged' ? (summary.reason ?? null) : null,
      report: reportOf(summary),
    });
  }
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
