// What the API hands out: plain JSON objects that cross IPC and HTTP unchanged. The store (core/store)
// hands out these same types, so there is one definition of each record.
// Timestamps are ISO 8601 strings (UTC); ids are positive integers.
import type { DatasetRef } from '../data/dataset-ref.js';
import type { ModelSpec } from '../spec/model-spec.js';
import type { BatchProgress, DecisionBoundary, EpochReport } from '../protocol/training.js';
import type { RunStatus, RunStatusCause } from '../runs/statuses.js';
import type { RunWarning } from '../runs/warnings.js';

export type { RunStatus, RunStatusCause } from '../runs/statuses.js';
export type { RunWarning } from '../runs/warnings.js';
import type { TrainingConfig } from '../tricks/config.js';
// Studio state (issue 17): a project's draft and the user's preferences.
export type { DraftConfig, DraftInput, DraftParamValue, ProjectDraft, SeedPolicy } from '../drafts/draft.js';
export type { AppSettings, Theme } from '../settings/settings.js';
import type { RunSweepMark } from '../sweeps/entities.js';

export const CHECKPOINT_KIND_VALUES = ['best', 'last', 'periodic'] as const;
export type CheckpointKindDto = (typeof CHECKPOINT_KIND_VALUES)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Project {
  id: number;
  name: string;
  notes: string;
  createdAt: string;
}

/** `projects.stats`: what the project list shows of each project, counted in one query. */
export interface ProjectStats {
  projectId: number;
  runs: number;
  /** Runs a trainer holds now (running or paused). */
  training: number;
  /** Runs waiting in the queue. */
  queued: number;
  /** The highest validation accuracy of a finished run's final model, and that run; null before one. */
  bestValAccuracy: number | null;
  bestRunId: number | null;
  /** That run's project-wide number (what the studio calls it: #N). */
  bestRunNumber: number | null;
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
  /** The run's number in its project (#1, #2, …; never reused): what the studio calls it. */
  number: number;
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
  status: RunStatus;
  /** Why a run failed, diverged or was interrupted. */
  error: string | null;
  /**
   * Why it is `interrupted` or `failed`, as a code (`trainer_killed`, `disk_full`, …; shared/runs/statuses.ts);
   * null otherwise. Absent from hosts older than schema 6.
   */
  statusCause?: RunStatusCause | null;
  /** What the run did that its numbers alone hide (a runaway loss), with a hint; never stops it. */
  warnings?: RunWarning[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  finalMetrics: FinalMetrics | null;
}

/** A run as listed: with the names of its model and dataset. */
export interface RunListItem extends Run {
  modelName: string;
  datasetName: string;
  /** The sweep trial it trains (its state says `pruned` for a run ASHA stopped), if any. */
  sweep?: RunSweepMark | null;
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

export const COMPARISON_KIND_VALUES = ['manual', 'ablation', 'seeds', 'lesson'] as const;
export type ComparisonKind = (typeof COMPARISON_KIND_VALUES)[number];

export interface Comparison {
  id: number;
  projectId: number;
  name: string;
  notes: string;
  runIds: number[];
  /** How it was made: picked by hand, by "Ablate…", by "Repeat with N seeds", or by a lesson. */
  kind: ComparisonKind;
  /** The run an ablation or a seed repeat started from (null for manual comparisons and lessons). */
  baseRunId: number | null;
  /** The lesson that made it (`lessons.verdict` reads it), else null. */
  lessonId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A misclassified test sample: its raw features (MNIST: 784 pixels 0–255) to draw, true and predicted class. */
export interface MisclassifiedSample {
  /** Row in the test split. */
  index: number;
  label: number;
  predicted: number;
  /** The predicted class's probability. */
  confidence: number;
  features: number[];
}

/** What a finished run's evaluation on the test split found; `runs.report` is null before a run finishes. */
export interface RunReport {
  runId: number;
  classNames: string[];
  inputShape: number[];
  /** confusion[true][predicted] on the test split (null for regression). */
  confusion: number[][] | null;
  /** The first misclassified test samples, at most MAX_MISCLASSIFIED, in test-split order. */
  misclassified: MisclassifiedSample[];
  /** Misclassified test samples in all. */
  misclassifiedCount: number;
  bestEpoch: number | null;
  /** Which weights the final metrics describe. */
  weights: 'last' | 'best' | 'averaged';
  /** Trainable + non-trainable parameters of the trained model (structural tricks applied). */
  parameters: number;
}

/** `runs.predict` (Try the model): what a run's checkpoint makes of the inputs given. */
export interface Prediction {
  runId: number;
  /** The checkpoint whose weights answered (the best epoch's, or the last one's). */
  checkpoint: { id: number; epoch: number; kind: CheckpointKindDto };
  task: 'classification' | 'regression';
  classNames: string[];
  inputShape: number[];
  /** The input scaling applied to the raw values first, as in training (`none`, `scaleUnit`, `standardize`…). */
  inputScaling: string;
  /** Per row: class probabilities (classification) or the model's outputs (regression). */
  outputs: number[][];
  /** Per row, the most likely class (null for regression). */
  predicted: (number | null)[];
  /** With `boundary: true`, for a 2-D classification set: the picture of its classes over the training points' plane. */
  boundary: DecisionBoundary | null;
}

/** `runs.ablate` / `runs.repeat` / `lessons.start`: the comparison that groups the runs, and the runs queued. */
export interface RunGroupResult {
  comparison: Comparison;
  /** The runs that were queued (not the base run), in comparison order. */
  runs: Run[];
}

/** `checkpoints.export`: a trained model as a zip of TF.js or ONNX files, verified by reloading it. */
export interface ModelExport {
  format: 'tfjs' | 'onnx';
  /** Suggested file name, e.g. `mnist-cnn-run12-epoch4-tfjs.zip`. */
  fileName: string;
  /** The zip, base64. */
  data: string;
  size: number;
  /** Names of the files inside the zip. */
  files: string[];
  /** Largest |difference| between the reloaded export and the trained model on test inputs. */
  maxAbsDiff: number;
}

export const LESSON_BUDGETS = ['small', 'standard'] as const;
export type LessonBudget = (typeof LESSON_BUDGETS)[number];

/** A built-in lesson as listed: one claim of the training-tricks note, tested by a small ablation. */
export interface LessonInfo {
  /** e.g. `init-scale`, `dropout`. */
  id: string;
  /** The lesson's letter: a–i in the note's order, then j (input scaling). */
  letter: string;
  title: string;
  /** The note's claim, in one or two sentences. */
  claim: string;
  /** What it trains, e.g. `MNIST MLP 784-256-256-10, 3 epochs, 3 seeds`, per budget. */
  plan: Record<LessonBudget, string>;
  /** The arms' labels in order, e.g. `['dropout 0', 'dropout 0.2', 'dropout 0.5']`. */
  arms: string[];
  /** Runs queued per budget (arms × seeds). */
  runs: Record<LessonBudget, number>;
}

/** One quantity a lesson's verdict judged, and what its difference had to clear. */
export interface JudgedQuantity {
  /** What was compared, e.g. `test loss after 20 epochs (mean over seeds)`. */
  quantity: string;
  /**
   * What the difference was compared against, e.g. `0.020, or 2 × the larger seed spread (±0.006) if larger`;
   * `one seed: not judged` when there was no spread to compare against.
   */
  against: string;
  /** Whether this quantity showed the claimed effect; null: not judged (too few seeds, no numbers). */
  appeared: boolean | null;
}

/** A lesson's verdict, computed from the measured numbers of its comparison's runs (never canned). */
export interface LessonVerdict {
  lessonId: string;
  comparisonId: number;
  /** All runs finished (completed, stopped, or diverged); until then `text` says how many are left. */
  ready: boolean;
  /**
   * Whether the claimed effect showed in these numbers; null until ready, and when the numbers cannot judge it
   * (one seed per arm: no spread to compare against; an arm without numbers).
   */
  appeared: boolean | null;
  /** Plain sentences with each effect's size, the spread it was compared against and the conclusion. */
  text: string;
  /** The quantities judged, in the order the text names them (empty until ready). */
  judged: JudgedQuantity[];
  /** Per arm: the numbers the verdict used (mean over seeds, spread, seeds). */
  arms: Array<{ label: string; runIds: number[]; metric: string; mean: number | null; spread: number | null; seeds: number }>;
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
  /** What was recovered from the damaged database into the new one, and what was not (absent: nothing was damaged). */
  salvage?: SalvageReport | null;
  /** A damaged write-ahead log found on opening: the commits SQLite could not replay, and what they held. */
  walDamage?: WalDamageReport | null;
  /**
   * How the page reads the user's files: `dialog` (the desktop app: `datasets.choosePath` opens the system's file
   * dialog, and the host reads the path), or `upload` (a browser: the page streams them, `datasets.beginUpload`).
   */
  files: 'dialog' | 'upload';
}

/** Rows read back from a damaged database into a new one, per table, and what could not be. */
export interface SalvageReport {
  /** Where the damaged file was moved (it is kept, never deleted). */
  from: string;
  /** Table → rows recovered. */
  recovered: Record<string, number>;
  /** What could not be recovered, one line each (`checkpoints: 2 whose bytes do not match their sha256 (ids 4, 7)`). */
  lost: string[];
  /** Runs that were running when the file was damaged: now interrupted, resumable. */
  interruptedRuns: number[];
}

/** A write-ahead log with a damaged frame followed by intact commits: SQLite stops replaying at the damage. */
export interface WalDamageReport {
  /** Where the database and its log were copied before opening (kept, never deleted). */
  copy: string;
  /** The first damaged frame (from 1) and the frames in the log. */
  firstBadFrame: number;
  frames: number;
  /** Committed transactions after the damage that could not be replayed. */
  commitsLost: number;
  /** What those commits held, as far as it can be read (`run 3: metrics of epochs 5-6, checkpoint of epoch 6`). */
  lost: string[];
  /** Runs set back by the lost commits: interrupted, and resuming recomputes what was lost. */
  interruptedRuns: number[];
}

export interface DatasetSample {
  /** The raw features, row-major (MNIST: 784 pixels 0–255; synthetic: [x, y]). */
  features: number[];
  label: number;
  /** Token datasets: the ids read back as text (padding left out). */
  text?: string;
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
  /** How the splits were made when the files decided part of it (IDX, CIFAR: the shipped test set is the test split). */
  splitNote?: string;
  /**
   * With `config`: the same samples as training sees them at `epoch`, with the config's augmentations applied
   * by the engine's code (raw values, before input scaling); `tricks` lists those applied (none: unchanged).
   */
  augmented?: { epoch: number; tricks: string[]; samples: DatasetSample[] };
  /** Token datasets: the features are ids 0 … vocabulary − 1. */
  vocabulary?: number;
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
  status: RunStatus;
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

/** `datasets.beginUpload`: where the page sends the files (the browser host), and what the upload may hold. */
/** What the user's own files can be: a CSV file, an image folder, a folder of IDX files or of CIFAR batches. */
export const UPLOAD_KINDS = ['csv', 'images', 'idx', 'cifar'] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];

export interface UploadTicket {
  uploadId: string;
  kind: UploadKind;
  /** `PUT <path>?path=<the file's relative path>` with the file's bytes (Content-Type application/octet-stream). */
  path: string;
  /** The files and bytes declared: more is refused as it arrives. */
  maxFiles: number;
  maxTotalBytes: number;
  /** One file's cap (images; a .zip of the folder may be UPLOAD_LIMITS.zipBytes). */
  maxFileBytes: number;
}

export interface DatasetImportProgress {
  path: string;
  done: number;
  total: number;
}
