// What the store hands out. Timestamps are ISO 8601 strings (UTC, ms precision); ids are integers.
import type { RunStatus } from '../../shared/runs/statuses.js';
import type { CHECKPOINT_KINDS, RUN_STATUSES, SWEEP_STATUS_VALUES, TRIAL_STATE_VALUES } from './schema.js';
import type { SweepStatus, TrialState } from '../../shared/sweeps/spec.js';
import type { Checkpoint, Dataset, JsonValue, SalvageReport, WalDamageReport } from '../../shared/api/entities.js';

// The records the store hands out are the API's entities (one definition, in shared/); only what the
// store alone deals in (metric points with raw NaN, checkpoint bytes, the open report) is defined here.
export type {
  BlobInfo,
  Checkpoint,
  Comparison,
  ComparisonKind,
  Dataset,
  FinalMetrics,
  JsonValue,
  ModelVersion,
  Project,
  ProjectStats,
  Run,
  RunListItem,
  RunReport,
  MisclassifiedSample,
  SalvageReport,
  WalDamageReport,
} from '../../shared/api/entities.js';

export type { RunStatus };

// The runs table's CHECK lists the statuses as migration 1 shipped them (never edited): it must allow
// exactly the shared vocabulary. A status added to shared/runs/statuses.ts fails to compile here until a new
// migration widens the CHECK (this check then compares with that migration's list).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const storedStatusesMatch: Same<(typeof RUN_STATUSES)[number], RunStatus> = true;
void storedStatusesMatch;
// Likewise for the sweep tables' CHECKs and the sweep vocabulary in shared/sweeps/spec.ts.
const storedSweepStatusesMatch: Same<(typeof SWEEP_STATUS_VALUES)[number], SweepStatus> = true;
const storedTrialStatesMatch: Same<(typeof TRIAL_STATE_VALUES)[number], TrialState> = true;
void storedSweepStatusesMatch;
void storedTrialStatesMatch;

export type CheckpointKind = (typeof CHECKPOINT_KINDS)[number];

/** How a dataset is split into train, validation and test: decided by the engine, kept as given. */
export type DatasetSplit = Dataset['split'];

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

export interface CheckpointData {
  checkpoint: Checkpoint;
  weights: Uint8Array;
  optimizer: Uint8Array;
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
  /** After moving a damaged file aside: what was read back from it into the new one, and what was not. */
  salvage: SalvageReport | null;
  /** A damaged write-ahead log: the committed work SQLite could not replay (copied aside first), and the runs it set back. */
  walDamage: WalDamageReport | null;
  /** Opened to read only, beside the process that holds the data folder (nothing is checked, repaired or written). */
  readOnly: boolean;
}
