// What a training run reports, shared by the engine, the trainer process protocol, the store and the UI.
import type { DatasetRef } from '../data/dataset-ref.js';
import type { ModelSpec } from '../spec/model-spec.js';
import type { FinishedRunStatus } from '../runs/statuses.js';
import type { TrainingConfig } from '../tricks/config.js';

export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = BackendName | 'auto';

export interface BatchProgress {
  epoch: number;
  /** Batches done in this epoch. */
  batch: number;
  batchesPerEpoch: number;
  epochs: number;
  /** Mean training loss over the epoch so far (a running mean: it falls at every epoch start, so never plot it per step). */
  loss: number;
  samplesPerSecond: number;
  /**
   * The batch loss of every optimizer step since the previous progress message, oldest first; the last is this
   * batch's. Step of `losses[i]` (0-based, counted from the run's start): `stepOfLoss(progress, i)`.
   */
  losses: number[];
}

/** The 0-based optimizer step at which `progress.losses[i]` was measured. */
export function stepOfLoss(progress: Pick<BatchProgress, 'epoch' | 'batch' | 'batchesPerEpoch' | 'losses'>, i: number): number {
  return progress.epoch * progress.batchesPerEpoch + progress.batch - progress.losses.length + i;
}

/** Optimizer steps in one epoch: the engine's batch count (the last batch may be short). */
export function batchesPerEpochOf(trainCount: number, batchSize: number): number {
  return trainCount <= 0 ? 0 : Math.ceil(trainCount / Math.min(batchSize, trainCount));
}

/** Sampled every few batches: the loss and gradient global norm at one optimizer step. */
export interface StepMetric {
  step: number;
  epoch: number;
  loss: number;
  gradNorm: number;
}

export interface LayerStat {
  /** The tfjs layer name, e.g. conv2d_Conv2D1. */
  layer: string;
  /** Position in the (expanded) spec, e.g. layers[3].layers[0]. */
  path: string;
  weightNorm: number;
  gradNorm: number;
  activationMean: number;
  activationStd: number;
  /** Fraction of units that output ≤ 0 for every probe sample (dead ReLUs). */
  deadFraction: number;
}

export interface EpochMetrics {
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  learningRate: number;
  seconds: number;
  samplesPerSecond: number;
  /** Averaged predictions of all ensemble members, when the ensemble trick is on. */
  ensembleValLoss?: number;
  ensembleValAccuracy?: number;
}

export interface EpochReport {
  epoch: number;
  epochs: number;
  metrics: EpochMetrics;
  steps: StepMetric[];
  layers: LayerStat[];
  /** Whether this epoch is the best so far on validation loss. */
  best: boolean;
  /** For a 2-D classification set: the model's class probabilities over a grid of the input plane at this epoch's end. */
  boundary?: DecisionBoundary;
}

/**
 * Class probabilities of the model over a `size` × `size` grid of a 2-D input plane (TensorFlow Playground's
 * picture). Cell (row r, column c) is centred at x = x0 + (c + 0.5)·(x1 − x0)/size and y = y1 − (r + 0.5)·(y1 − y0)/size
 * (row 0 at the top), in the data's own units (before input scaling). `probs` holds `classes` values per cell,
 * row-major, rounded to 1/1000.
 */
export interface DecisionBoundary {
  size: number;
  classes: number;
  /** [x0, x1, y0, y1]: the plane drawn, the training points' range with a margin. */
  extent: [number, number, number, number];
  probs: number[];
}

export interface FinalMetrics {
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  testLoss: number;
  testAccuracy: number;
}

export interface Divergence {
  epoch: number;
  batch: number;
  what: 'loss' | 'gradient';
  hint: string;
}

/**
 * Checkpoint manifest formats: 1 kept early stopping and weight averaging in fixed places; 2 (written now)
 * keeps each training trick's own state, keyed by its id. The engine reads both.
 */
export const CHECKPOINT_FORMATS = [1, 2] as const;
export type CheckpointFormat = (typeof CHECKPOINT_FORMATS)[number];
export const CHECKPOINT_FORMAT: CheckpointFormat = 2;

export interface TrainSummary {
  status: FinishedRunStatus;
  epochs: number;
  backend: BackendName;
  device: string;
  samplesPerSecond: number;
  final: FinalMetrics | null;
  /** confusion[true][predicted] on the test split. */
  confusion: number[][] | null;
  classNames: string[];
  /**
   * The epoch judged best on validation loss (by early stopping's min-delta rule when it is on); when `weights`
   * is 'best', the epoch whose weights `final` describes.
   */
  bestEpoch: number | null;
  /**
   * Which weights `final` describes (of the first member, for an ensemble): the last epoch's, the best epoch's
   * (early stopping restored them), or the average of the last epochs' (weight averaging).
   */
  weights: 'last' | 'best' | 'averaged';
  divergence?: Divergence;
  reason?: string;
  /** What the final test evaluation found beyond the metrics (absent when the run diverged). */
  evaluation?: TestEvaluation;
}

/** A test sample the final model got wrong. */
export interface MisclassifiedTestSample {
  /** Row in the test split. */
  index: number;
  label: number;
  predicted: number;
  /** The predicted class's probability. */
  confidence: number;
  /** The raw features as the data holds them (MNIST: 784 pixels 0–255), before input scaling. */
  features: number[];
}

export interface TestEvaluation {
  inputShape: number[];
  /** Trainable + non-trainable parameters of the trained model (of one member for an ensemble). */
  parameters: number;
  /** The first misclassified test samples in test-split order, at most MAX_MISCLASSIFIED_SAMPLES. */
  misclassified: MisclassifiedTestSample[];
  misclassifiedCount: number;
}

/** Misclassified test samples a summary carries at most (the API's MAX_MISCLASSIFIED). */
export const MAX_MISCLASSIFIED_SAMPLES = 48;

export interface CheckpointManifest {
  format: CheckpointFormat;
  /** The last completed epoch (0-based); training resumes at epoch + 1. */
  epoch: number;
  kind: 'best' | 'last' | 'periodic';
  /** Opaque engine state: the run's, and each member's training tricks' (format 2). */
  state: unknown;
  tensors: Array<{ name: string; shape: number[]; dtype: 'float32' | 'int32'; offset: number }>;
  optimizerTensors: Array<{ name: string; shape: number[]; dtype: 'float32' | 'int32'; offset: number }>;
}

export interface CheckpointPayload {
  manifest: CheckpointManifest;
  weights: Uint8Array;
  optimizer: Uint8Array;
}

export interface TrainRequest {
  spec: ModelSpec;
  dataset: DatasetRef;
  config: TrainingConfig;
  backend: BackendChoice;
  resumeFrom?: CheckpointPayload;
}
