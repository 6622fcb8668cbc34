import type { LessonBudget, LessonInfo, LessonVerdict, RunStatus } from '../api/entities.js';
import type { DatasetRef } from '../data/dataset-ref.js';
import type { MetricSelector } from '../runs/metric-names.js';
import type { ModelSpec } from '../spec/model-spec.js';
import type { TrainingConfig } from '../tricks/config.js';

/**
 * The project every lesson's runs go to unless the caller names another: found by this name (the oldest such
 * project), made on first use. Renaming it makes the next lesson start a new one, as with the CLI's own project.
 */
export const LESSONS_PROJECT = 'Lessons';
export const LESSONS_PROJECT_NOTES =
  "Runs of the built-in lessons: each lesson's arms × seeds, grouped in a comparison of kind lesson with its verdict. Started from the studio's Lessons page or `layerwise lesson run ID`.";

/** One arm of a lesson: a full setup (the services queue it once per seed). */
export interface LessonArm {
  label: string;
  spec: ModelSpec;
  config: TrainingConfig;
}

export interface LessonPlan {
  dataset: DatasetRef;
  arms: LessonArm[];
  /** Every arm runs with each of these seeds (config.seed is replaced). */
  seeds: number[];
}

/** What was measured for one run of a lesson, as the verdict function reads it. */
export interface LessonRunNumbers {
  arm: number;
  seed: number;
  status: RunStatus;
  /** The run's final metrics (testAccuracy, valAccuracy, …); null before it finishes. */
  finalMetrics: Record<string, number | null> | null;
  /** Per-epoch series by metric name (`valAccuracy`, `loss`, `layer.layers.1.activationStd`, …), index = epoch. */
  series: Record<string, (number | null)[]>;
}

/** What a verdict function returns: the services add lessonId, comparisonId and ready. */
export type VerdictResult = Omit<LessonVerdict, 'lessonId' | 'comparisonId' | 'ready' | 'arms'> & {
  arms: Array<Omit<LessonVerdict['arms'][number], 'runIds'>>;
};

export interface Lesson {
  info: Omit<LessonInfo, 'arms' | 'runs'>;
  plan(budget: LessonBudget): LessonPlan;
  /** Metric-name prefixes the verdict needs (the services load only these series). */
  metrics: MetricSelector[];
  /** Computed from the numbers only; says plainly when the effect did not appear. Runs may be diverged. */
  verdict(runs: readonly LessonRunNumbers[], plan: LessonPlan): VerdictResult;
}
