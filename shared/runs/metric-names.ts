// Metric names: the one definition of the series a run records (the store's metric_names), the final
// metrics a finished run keeps, and how per-step and per-layer series are named. The recorder writes
// these names; charts, lessons, diagnostics and the CLI read them.
import type { EpochMetrics, FinalMetrics, LayerStat, StepMetric } from '../protocol/training.js';

/** Per-epoch metrics, as the trainer reports them (EpochMetrics) and as stored: one series each, x = epoch. */
export const EPOCH_METRICS = [
  'loss',
  'accuracy',
  'valLoss',
  'valAccuracy',
  'learningRate',
  'seconds',
  'samplesPerSecond',
  'ensembleValLoss',
  'ensembleValAccuracy',
] as const satisfies readonly (keyof EpochMetrics)[];
export type EpochMetricName = (typeof EPOCH_METRICS)[number];

/**
 * A run's final metrics (`run.finalMetrics`): the last (or best, or averaged) weights evaluated on every
 * split, plus the epochs trained, the mean speed and the best epoch (when validation picked one).
 */
export const FINAL_METRICS = ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'testLoss', 'testAccuracy', 'epochs', 'samplesPerSecond', 'bestEpoch'] as const;
export type FinalMetricName = (typeof FINAL_METRICS)[number];

/** Sampled every few batches, stored as `step.<stat>`, x = the global optimizer step. */
export const STEP_METRICS = { loss: 'step.loss', gradNorm: 'step.gradNorm' } as const satisfies Record<Exclude<keyof StepMetric, 'step' | 'epoch'>, string>;
export type StepMetricName = (typeof STEP_METRICS)[keyof typeof STEP_METRICS];
export const STEP_METRIC_PREFIX = 'step.';

/** Per-layer statistics on the probe batch, stored as `layer.<path>.<stat>` (path as in the expanded spec). */
export const LAYER_STATS = ['weightNorm', 'gradNorm', 'activationMean', 'activationStd', 'deadFraction'] as const satisfies readonly (keyof LayerStat)[];
export type LayerStatName = (typeof LAYER_STATS)[number];
export const LAYER_METRIC_PREFIX = 'layer.';
export type LayerMetricName = `layer.${string}`;

/**
 * The same per-layer statistics measured once on the freshly initialised model, before any step (how the
 * initialisation scales the signal through the stack): `init.layer.<path>.<stat>`, one point at epoch 0.
 */
export const INIT_LAYER_METRIC_PREFIX = 'init.layer.';
export type InitLayerMetricName = `init.layer.${string}`;

/** Any recorded series. */
export type MetricName = EpochMetricName | StepMetricName | LayerMetricName | InitLayerMetricName;

/** What a reader may ask for by name or by prefix (`layer.` for every layer series, `init.layer.` for those at init). */
export type MetricSelector = MetricName | FinalMetricName | typeof LAYER_METRIC_PREFIX | typeof INIT_LAYER_METRIC_PREFIX;

// The lists above must name every key of the trainer's reports: a new EpochMetrics, FinalMetrics or LayerStat
// field that is not listed fails to compile here.
type Missing<All, Listed> = Exclude<All, Listed>;
const everyEpochMetric: [Missing<keyof EpochMetrics, EpochMetricName>] extends [never] ? true : never = true;
const everyFinalMetric: [Missing<keyof FinalMetrics, FinalMetricName>] extends [never] ? true : never = true;
const everyLayerStat: [Missing<Exclude<keyof LayerStat, 'layer' | 'path'>, LayerStatName>] extends [never] ? true : never = true;
void everyEpochMetric;
void everyFinalMetric;
void everyLayerStat;

export function isStepMetric(name: string): boolean {
  return name.startsWith(STEP_METRIC_PREFIX);
}

export function layerMetricName(path: string, stat: LayerStatName): LayerMetricName {
  return `${LAYER_METRIC_PREFIX}${path}.${stat}`;
}

export function initLayerMetricName(path: string, stat: LayerStatName): InitLayerMetricName {
  return `init.${layerMetricName(path, stat)}`;
}

/** `layer.<path>.<stat>` → its path and stat; null for other names. */
export function parseLayerMetric(name: string): { path: string; stat: LayerStatName } | null {
  const m = /^layer\.(.+)\.([A-Za-z]+)$/.exec(name);
  if (!m || !(LAYER_STATS as readonly string[]).includes(m[2]!)) return null;
  return { path: m[1]!, stat: m[2] as LayerStatName };
}
