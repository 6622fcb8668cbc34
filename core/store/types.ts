// What the store hands out. Timestamps are ISO 8601 strings (UTC, ms precision); ids are integers.
import type { DatasetRef, ModelSpec, TrainingConfig } from '../../shared/index.js';
import type { CHECKPOINT_KINDS, RUN_STATUSES } from './schema.js';

export type RunStatus = (typeof RUN_STATUSES)[number];
export type CheckpointKind = (typeof CHECKPOINT_KINDS)[number];

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

/** How a dataset is split into train, validation and test: decided by the engine, kept as given. */
export type DatasetSplit = { readonly [key: string]: JsonValue };

export interface Dataset {
  id: number;
  projectId: number;
  name: string;
  source: DatasetRef;
  split: DatasetSplit;
  /** Identifies the data: the engine's content fingerprint, or sha256 of the canonical {source, split}. */
  fingerprint: string;
  createdAt: string;
}

/** Final metric values; null stands for NaN (a diverged run's loss), which JSON cannot hold. */
export type FinalMetrics = Record<string, number | null>;

export interface Run {
  id: number;
  projectId: number;
  modelVersionId: number;
  datasetId: number;
  name: string | null;
  presetId: string | null;
  /** The full training config that ran, every trick with every parameter. */
  config: TrainingConfig;
  seed: number;
  /** tfjs backend: `wasm`, `cpu`, `webgpu`, … */
  backend: string;
  /** The device in words, when known (`NVIDIA …`, `2 CPU cores`). */
  device: string | null;
  status: RunStatus;
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

export interface MetricPoint {
  name: string;
  epoch: number;
  /** The global step for per-batch values; null or absent for per-epoch values. */
  step?: number | null;
  /** NaN and ±Infinity are kept (a diverged run's loss). */
  value: number;
}

/** One metric of one run, ordered by (epoch, step). */
export interface MetricSeries {
  name: string;
  epochs: number[];
  steps: (number | null)[];
  values: number[];
}

export interface RunCurves {
  runId: number;
  series: MetricSeries[];
}

export interface CheckpointInput {
  /** The last completed epoch: resuming continues after it. */
  epoch: number;
  kind: CheckpointKind;
  weights: Uint8Array;
  optimizer: Uint8Array;
  /** Describes the bytes (tfjs weight specs, optimizer name, …): opaque to the store. */
  manifest: JsonValue;
}

export interface BlobInfo {
  size: number;
  sha256: string;
}

export interface Checkpoint {
  id: number;
  runId: number;
  epoch: number;
  kind: CheckpointKind;
  manifest: JsonValue;
  weights: BlobInfo;
  optimizer: BlobInfo;
  /** weights + optimizer bytes. */
  size: number;
  createdAt: string;
}

export interface CheckpointData {
  checkpoint: Checkpoint;
  weights: Uint8Array;
  optimizer: Uint8Array;
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

/** What opening found and did; the app shows it to the user. */
export interface OpenReport {
  dataDir: string;
  dbPath: string;
  /** A new, empty database was made (first start, or after moving a corrupt one aside). */
  created: boolean;
  /** The schema version before opening, when migrations ran; null when none were needed. */
  migratedFrom: number | null;
  /** Runs that were `running` or `paused` when their process died: now `interrupted`, resumable. */
  interruptedRuns: number[];
  /** A corrupt database file moved aside (never deleted): where it went and why. */
  movedAside: { path: string; reason: string } | null;
  /** A lock left by a process that no longer runs, taken over. */
  staleLock: { pid: number; acquiredAt: string } | null;
}
