// The project store (Node only): SQLite in the data folder, bundles, the data-folder lock.
export * from './errors.js';
export * from './types.js';
export { Store, DB_FILE, MAX_CHECKPOINT_PART_BYTES, type StoreOptions, type NewRun, type FinishRun, type ResumePoint, type ResumeCheck, type CheckpointChoice, type NewComparison } from './store.js';
// One repository per table group behind the Store facade (store.projects, store.runs, …).
export type { ProjectRepository } from './repos/projects.js';
export type { DatasetRepository } from './repos/datasets.js';
export type { RunRepository } from './repos/runs.js';
export type { MetricRepository } from './repos/metrics.js';
export type { CheckpointRepository } from './repos/checkpoints.js';
export type { ComparisonRepository } from './repos/comparisons.js';
export type { RunContinuations } from './repos/continuations.js';
export type { SweepRepository, SweepRecord, NewTrial, TrialPatch } from './repos/sweeps.js';
export { MIGRATIONS, SCHEMA_VERSION, CHECKPOINT_KINDS, COMPARISON_KINDS, migrate, schemaVersion, type Migration } from './schema.js';
export { LOCK_FILE, readLock, type LockInfo } from './lock.js';
export { canonicalJson, sha256Hex } from './canonical.js';
export {
  exportBundle,
  importBundle,
  importCheckedBundle,
  checkBundle,
  readBundleFile,
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  OLDEST_BUNDLE_FORMAT_VERSION,
  BUNDLE_EXTENSION,
  DEFAULT_BUNDLE_LIMITS,
  type BundleLimits,
  type BundleCounts,
  type BundleManifest,
  type CheckedBundle,
  type ExportResult,
  type ImportResult,
} from './bundle.js';
