// The project store: one SQLite file in the data folder, written only by the process that holds the
// folder's lock (the app's main process, or one CLI command). See README "Architecture" for the choices.
//
// Checkpoints are BLOBs in the database, not files. A checkpoint row and its bytes commit in one
// transaction, so after a crash there is never a row without bytes or a file without a row (no orphan
// sweeping, no second place to back up), the sha256 is checked against bytes that cannot have been
// swapped underneath, and a bundle export reads one consistent snapshot. The models this app trains are
// small (the presets' weights plus Adam state are 0.1-5 MB; SQLite's own measurements put BLOBs up to
// ~100 KB faster than files and larger ones within a small factor), a checkpoint is written once per
// epoch at most, and `best`/`last` replace their predecessor, so the database stays small. Files would
// win for checkpoints of hundreds of MB; the per-part limit below keeps far from SQLite's 1 GB maximum.
//
// The Store is a thin facade over one repository per table group (./repos/): projects and model versions,
// datasets, runs (with reports and the queue's order), metrics, checkpoints, comparisons, and resume/fork
// across them. They share one connection (./db.ts); a repository calling another inside a transaction joins
// it as a savepoint, so a write that spans table groups still commits or rolls back as one.
import { resolve } from 'node:path';
import type { DatasetRef, ModelSpec, RunStatusCause, RunWarning } from '../../shared/index.js';
import type Database from 'better-sqlite3';
import type { StoreDb } from './db.js';
import { storeErrorFrom } from './errors.js';
import type { AcquiredLock, PendingOutcome } from './lock.js';
import { openReadOnly, openWritable, type StoreOptions } from './opening.js';
import { CheckpointRepository } from './repos/checkpoints.js';
import { ComparisonRepository, type NewComparison } from './repos/comparisons.js';
import { RunContinuations, type CheckpointChoice, type ResumeCheck, type ResumePoint } from './repos/continuations.js';
import { DatasetRepository } from './repos/datasets.js';
import { MetricRepository } from './repos/metrics.js';
import { ProjectRepository } from './repos/projects.js';
import { RunRepository, type FinishRun, type NewRun } from './repos/runs.js';
import { SweepRepository } from './repos/sweeps.js';
import type {
  Checkpoint,
  CheckpointData,
  CheckpointInput,
  Comparison,
  Dataset,
  DatasetSplit,
  MetricPoint,
  MetricSeries,
  ModelVersion,
  OpenReport,
  Project,
  ProjectStats,
  Run,
  RunCurves,
  RunListItem,
  RunReport,
  RunStatus,
} from './types.js';

export { iso } from './db.js';
export { DB_FILE, type StoreOptions } from './opening.js';
export { MAX_CHECKPOINT_PART_BYTES } from './repos/checkpoints.js';
export type { CheckpointChoice, FinishRun, NewComparison, NewRun, ResumeCheck, ResumePoint };

export class Store {
  readonly projects: ProjectRepository;
  readonly datasets: DatasetRepository;
  readonly runs: RunRepository;
  readonly metrics: MetricRepository;
  readonly checkpoints: CheckpointRepository;
  readonly comparisons: ComparisonRepository;
  readonly continuations: RunContinuations;
  /** Sweeps and their trials (core/sweeps drives them). */
  readonly sweeps: SweepRepository;

  private constructor(
    private readonly db: StoreDb,
    private readonly lock: Pick<AcquiredLock, 'note' | 'release'>,
    readonly report: OpenReport,
  ) {
    this.projects = new ProjectRepository(db);
    this.datasets = new DatasetRepository(db, this.projects);
    this.runs = new RunRepository(db, this.projects, this.datasets);
    this.metrics = new MetricRepository(db, this.runs);
    this.checkpoints = new CheckpointRepository(db, this.runs);
    this.comparisons = new ComparisonRepository(db, this.projects, this.runs);
    this.continuations = new RunContinuations(db, this.runs, this.metrics, this.checkpoints);
    this.sweeps = new SweepRepository(db, this.projects);
  }

  /**
   * Opens (creating if needed) the store in `dataDir`: takes the folder's lock (the lock file and the writer
   * lock), copies a damaged write-ahead log aside before SQLite replays it, moves a corrupt database aside and
   * salvages what it can still read into the new one, upgrades the schema, and marks runs whose process died as
   * `interrupted`. `report` says what of that happened. Throws StoreError `DataDirLocked` when another live
   * process holds the folder, `DiskFull` / `WriteFailed` when the disk refuses.
   */
  static open(dataDir: string, options: StoreOptions = {}): Store {
    const dir = resolve(dataDir);
    try {
      const { db, lock, report } = openWritable(dir, options);
      return new Store(db, lock, report);
    } catch (error) {
      // A full disk, a read-only folder, a failing disk: a StoreError naming it, never a raw ENOSPC or SqliteError.
      throw storeErrorFrom(error, dir);
    }
  }

  /**
   * Opens the store in `dataDir` to read only, beside the process that holds it (the studio, a CLI `train`): no
   * lock is taken and nothing is written, checked or repaired; readers see the last committed state (WAL). Every
   * write throws StoreError `ReadOnly`. Throws `InvalidInput` when the folder has no database, `SchemaTooNew` /
   * `SchemaTooOld` when its schema is not this version's.
   */
  static openReadOnly(dataDir: string, options: Pick<StoreOptions, 'nativeBinding' | 'busyTimeoutMs' | 'now'> = {}): Store {
    const { db, lock, report } = openReadOnly(dataDir, options);
    return new Store(db, lock, report);
  }

  /**
   * Closes the database (folding the WAL into it) and releases the data folder. Safe to call twice. Outcomes the
   * database could not take are tried once more; those it still refuses stay in the lock file for the next open.
   */
  close(): void {
    if (!this.db.isOpen) return;
    const keep = this.recordDeferred() > 0;
    try {
      this.db.close();
    } finally {
      this.lock.release({ keep });
    }
  }

  private readonly deferred = new Map<number, PendingOutcome>();

  /**
   * A run ended `interrupted` (cause, error) but the database refused to record it (the disk is full): the outcome
   * is kept in the lock file, which is rewritten in place, and recorded by `recordDeferred` or, should this process
   * end first, by the next open of the folder. Returns whether the lock file took it.
   */
  deferRunOutcome(runId: number, outcome: { cause: string; error: string }): boolean {
    this.deferred.set(runId, { runId, ...outcome });
    return this.lock.note([...this.deferred.values()]);
  }

  /** Records the deferred outcomes the database takes now; returns how many are still waiting. */
  recordDeferred(): number {
    for (const [runId, p] of [...this.deferred]) {
      try {
        const run = this.runs.get(runId);
        if (run.status === 'running' || run.status === 'paused' || run.status === 'queued') {
          this.runs.setStatus(runId, 'interrupted', { cause: p.cause as RunStatusCause, error: p.error });
        }
        this.deferred.delete(runId);
      } catch {
        // Still refused: it stays deferred.
      }
    }
    this.lock.note([...this.deferred.values()]);
    return this.deferred.size;
  }

  get isOpen(): boolean {
    return this.db.isOpen;
  }

  /** The underlying connection: for the bundle code and tests, not for app code. */
  get sqlite(): Database.Database {
    return this.db.sqlite;
  }

  /** `PRAGMA integrity_check`: ['ok'] when the file is sound. */
  integrityCheck(): string[] {
    return (this.sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  /** Runs `fn` in a transaction (a savepoint when already inside one): all of its writes or none. */
  tx<T>(fn: () => T): T {
    return this.db.tx(fn);
  }

  // ---- projects and model versions (./repos/projects.ts) ----

  createProject(input: { name: string; notes?: string }): Project {
    return this.projects.create(input);
  }
  getProject(id: number): Project {
    return this.projects.get(id);
  }
  listProjects(): Project[] {
    return this.projects.list();
  }
  /** Run counts and the best validation accuracy of every project, in one query. */
  projectStats(): ProjectStats[] {
    return this.projects.stats();
  }
  ensureProject(name: string): Project {
    return this.projects.ensure(name);
  }
  updateProject(id: number, patch: { name?: string; notes?: string }): Project {
    return this.projects.update(id, patch);
  }
  deleteProject(id: number): void {
    this.projects.delete(id);
  }
  saveModelVersion(projectId: number, spec: ModelSpec, options: { parentId?: number | null } = {}): ModelVersion & { created: boolean } {
    return this.projects.saveVersion(projectId, spec, options);
  }
  getModelVersion(id: number): ModelVersion {
    return this.projects.getVersion(id);
  }
  listModelVersions(projectId: number): ModelVersion[] {
    return this.projects.listVersions(projectId);
  }

  // ---- datasets (./repos/datasets.ts) ----

  saveDataset(projectId: number, input: { source: DatasetRef; split: DatasetSplit; fingerprint?: string; name?: string }): Dataset & { created: boolean } {
    return this.datasets.save(projectId, input);
  }
  getDataset(id: number): Dataset {
    return this.datasets.get(id);
  }
  listDatasets(projectId: number): Dataset[] {
    return this.datasets.list(projectId);
  }

  // ---- runs, their reports and the queue's order (./repos/runs.ts); resume and fork (./repos/continuations.ts) ----

  createRun(input: NewRun): Run {
    return this.runs.create(input);
  }
  getRun(id: number): Run {
    return this.runs.get(id);
  }
  listRuns(filter: { projectId?: number; status?: RunStatus } = {}): RunListItem[] {
    return this.runs.list(filter);
  }
  setRunStatus(id: number, status: RunStatus, options: { error?: string | null; cause?: RunStatusCause | null } = {}): Run {
    return this.runs.setStatus(id, status, options);
  }
  markRunStarted(id: number, info: { backend: string; device?: string | null }): Run {
    return this.runs.markStarted(id, info);
  }
  finishRun(id: number, result: FinishRun): Run {
    return this.runs.finish(id, result);
  }
  deleteRun(id: number): void {
    this.runs.delete(id);
  }
  setQueueOrder(runIds: readonly number[]): void {
    this.runs.setQueueOrder(runIds);
  }
  queueOrder(): number[] {
    return this.runs.queueOrder();
  }
  saveRunReport(runId: number, report: Omit<RunReport, 'runId'>): RunReport {
    return this.runs.saveReport(runId, report);
  }
  getRunReport(runId: number): RunReport | null {
    return this.runs.getReport(runId);
  }
  beginResume(id: number): ResumePoint {
    return this.continuations.beginResume(id);
  }
  checkResume(id: number): ResumeCheck {
    return this.continuations.checkResume(id);
  }
  checkpointFor(runId: number, choice: CheckpointChoice): Checkpoint {
    return this.continuations.checkpointFor(runId, choice);
  }
  saveRunWarning(runId: number, warning: RunWarning): void {
    this.runs.saveWarning(runId, warning);
  }
  runWarnings(runId: number): RunWarning[] {
    this.runs.get(runId);
    return this.runs.warnings(runId);
  }
  forkRun(checkpointId: number, options: { name?: string | null } = {}): Run {
    return this.continuations.fork(checkpointId, options);
  }

  // ---- metrics (./repos/metrics.ts) ----

  appendMetrics(runId: number, points: readonly MetricPoint[]): number {
    return this.metrics.append(runId, points);
  }
  metricCount(runId: number): number {
    return this.metrics.count(runId);
  }
  metricNames(runId: number): string[] {
    return this.metrics.names(runId);
  }
  metricSeries(runId: number, names?: readonly string[]): MetricSeries[] {
    return this.metrics.series(runId, names);
  }
  loadCurves(runIds: readonly number[], names?: readonly string[]): RunCurves[] {
    return this.metrics.curves(runIds, names);
  }

  // ---- checkpoints (./repos/checkpoints.ts) ----

  saveCheckpoint(runId: number, input: CheckpointInput): Checkpoint {
    return this.checkpoints.save(runId, input);
  }
  getCheckpoint(id: number): Checkpoint {
    return this.checkpoints.get(id);
  }
  listCheckpoints(runId: number): Checkpoint[] {
    return this.checkpoints.list(runId);
  }
  loadCheckpoint(id: number): CheckpointData {
    return this.checkpoints.load(id);
  }
  latestCheckpoint(runId: number): CheckpointData | null {
    return this.checkpoints.latest(runId);
  }

  // ---- comparisons (./repos/comparisons.ts) ----

  saveComparison(input: NewComparison): Comparison {
    return this.comparisons.save(input);
  }
  updateComparison(id: number, patch: { name?: string; runIds?: readonly number[]; notes?: string }): Comparison {
    return this.comparisons.update(id, patch);
  }
  getComparison(id: number): Comparison {
    return this.comparisons.get(id);
  }
  listComparisons(projectId: number): Comparison[] {
    return this.comparisons.list(projectId);
  }
  deleteComparison(id: number): void {
    this.comparisons.delete(id);
  }
}
