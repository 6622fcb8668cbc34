// What the API hands out: plain JSON objects that cross IPC and HTTP unchanged. The store (core/store)
// hands out these same types, so there is one definition of each record.
// Timestamps are ISO 8601 strings (UTC); ids are positive integers.
import type { DatasetRef } from '../data/dataset-ref.js';
import type { ModelSpec } from '../spec/model-spec.js';
import type { BatchProgress, EpochReport } from '../protocol/training.js';
import type { TrainingConfig } from '../tricks/config.js';

export const RUN_STATUS_VALUES = ['queued', 'running', 'paused', 'completed', 'stopped', 'diverged', 'failed', 'interrupted'] as const;
export type RunStatusDto = (typeof RUN_STATUS_VALUES)[number];
export const CHECKPOINT_KIND_VALUES = ['best', 'last', 'periodic'] as const;
export type CheckpointKindDto = (typeof CHECKPOINT_KIND_VALUES)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Project {
  id: number;
  name: string;
  notes: string;
  createdAt: string;
}

export interface ModelVersion {
  id: number;
  projectId: number;
  /** The version this one was edited from, if any. */
  parentId: number | null;
  /** The spec's name. */
  name: string;
  spec: ModelSpec;
  /** sha256 (hex) of the spec's canonical JSON: equal specs have equal hashes. */
  hash: string;
  createdAt: string;
}

/** `models.save`: the version, and whether it is new (false: an identical spec was already kept). */
export interface SavedModelVersion extends ModelVersion {
  created: boolean;
}

export interface Dataset {
  id: number;
  projectId: number;
  name: string;
  source: DatasetRef;
  split: { readonly [key: string]: JsonValue };
  fingerprint: string;
  createdAt: string;
}

/** Final metric values; null stands for NaN or an infinity (a diverged run's loss), which JSON cannot hold. */
export type FinalMetrics = Record<string, number | null>;

export interface Run {
  id: number;
  projectId: number;
  modelVersionId: number;
  datasetId: number;
  name: string | null;
  presetId: string | null;
  /** The full training config, every trick with every parameter. */
  config: TrainingConfig;
  seed: number;
  /** The backend asked for (`auto`, …) until the trainer starts, then the one it got (`wasm`, `cpu`, …). */
  backend: string;
  device: string | null;
  status: RunStatusDto;
  /** Why a run failed, diverged or was interrupted. */
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  finalMetrics: FinalMetrics | null;
}

/** A run as listed: with the names of its model and dataset. */
export interface RunListItem extends Run {
  modelName: string;
  datasetName: string;
}

/**
 * One metric of one run, ordered by (epoch, step). `values[i]` is null where the value was NaN or
 * infinite (JSON cannot carry those; Electron's structured clone could, but both transports must agree).
 */
export interface MetricSeries {
  name: string;
  epochs: number[];
  steps: (number | null)[];
  values: (number | null)[];
}

export interface RunCurves {
  runId: number;
  series: MetricSeries[];
}

export interface BlobInfo {
  size: number;
  sha256: string;
}

/** A checkpoint's record, never its bytes. */
export interface Checkpoint {
  id: number;
  runId: number;
  epoch: number;
  kind: CheckpointKindDto;
  manifest: JsonValue;
  weights: BlobInfo;
  optimizer: BlobInfo;
  size: number;
  createdAt: string;
}

export interface Comparison {
  id: number;
  projectId: number;
  name: string;
  notes: string;
  runIds: number[];
  createdAt: string;
  updatedAt: string;
}

/** What the run queue is doing. `active` runs hold a trainer process (running or paused). */
export interface QueueState {
  concurrency: number;
  /** Runs with a trainer process, in the order they started. */
  active: number[];
  /** Runs waiting for a trainer, in the order they will start (queued runs and resumes asked for). */
  pending: number[];
}

/** What opening the data folder found (the store's report), for the app to show once. */
export interface HostInfo {
  version: string;
  dataDir: string;
  /** Runs that were running when their process died, now `interrupted` and resumable. */
  interruptedRuns: number[];
  /** A damaged database moved aside, where to and why. */
  movedAside: { path: string; reason: string } | null;
  createdDatabase: boolean;
}

export interface DatasetSample {
  /** The raw features, row-major (MNIST: 784 pixels 0–255; synthetic: [x, y]). */
  features: number[];
  label: number;
}

export interface DatasetPreview {
  name: string;
  inputShape: number[];
  numClasses: number;
  classNames: string[];
  split: 'train' | 'validation' | 'test';
  counts: { train: number; validation: number; test: number };
  /** The first N samples of the split. */
  samples: DatasetSample[];
  /** Samples per class in the whole split. */
  histogram: number[];
}

export interface BundleCounts {
  modelVersions: number;
  datasets: number;
  runs: number;
  metricPoints: number;
  checkpoints: number;
  comparisons: number;
}

export interface BundleExport extends BundleCounts {
  /** A suggested file name: `<project name>.layerwise`. */
  fileName: string;
  projectId: number;
  projectName: string;
  /** The .layerwise file, base64. */
  data: string;
  size: number;
}

export interface BundleImport extends BundleCounts {
  projectId: number;
  projectName: string;
  /** Bundle run id → new run id. */
  runIds: Record<string, number>;
}

// ---- pushed events ----

export interface RunProgressEvent {
  runId: number;
  progress: BatchProgress;
}

export interface RunEpochEvent {
  runId: number;
  /** Already recorded in the store when this arrives. */
  report: EpochReport;
}

export interface RunStatusEvent {
  runId: number;
  status: RunStatusDto;
  /** The run as recorded; null once it has been deleted. */
  run: Run | null;
}

export interface RunCheckpointEvent {
  runId: number;
  checkpoint: Checkpoint;
}

/** `datasets.import`: the registered dataset, whether it is new, and what the import found. */
export interface ImportedDataset {
  dataset: Dataset;
  created: boolean;
  /** One line each, e.g. `header row found; target "label" (classification); 4 columns → 6 features`. */
  notes: string[];
}

export interface DatasetImportProgress {
  path: string;
  done: number;
  total: number;
}
