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
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import {
  checkModelSpec,
  DatasetRefSchema,
  datasetRefName,
  FINISHED_RUN_STATUSES,
  isFinishedRunStatus,
  isLiveRunStatus,
  isResumableRunStatus,
  LIVE_RUN_STATUSES,
  parseTrainingConfig,
  RUN_STATUSES,
  RUN_TRANSITIONS,
  type FinishedRunStatus,
  type DatasetRef,
  type ModelSpec,
  type TrainingConfig,
} from '../../shared/index.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import { invalid, notFound, StoreError } from './errors.js';
import { acquireLock, type AcquiredLock } from './lock.js';
import { openDatabase } from './open-db.js';
import { CHECKPOINT_KINDS, COMPARISON_KINDS, migrate, SCHEMA_VERSION } from './schema.js';
import type {
  Checkpoint,
  CheckpointData,
  CheckpointInput,
  Comparison,
  ComparisonKind,
  Dataset,
  DatasetSplit,
  FinalMetrics,
  JsonValue,
  MetricPoint,
  MetricSeries,
  ModelVersion,
  OpenReport,
  Project,
  Run,
  RunCurves,
  RunListItem,
  RunReport,
  RunStatus,
} from './types.js';

export const DB_FILE = 'layerwise.db';

/** The largest weights or optimizer part of one checkpoint (SQLite's hard BLOB limit is 1e9 bytes). */
export const MAX_CHECKPOINT_PART_BYTES = 900 * 1024 * 1024;

export interface StoreOptions {
  /** Recorded in the lock file so that a refused process can say who holds the folder: `app`, `cli`. */
  owner?: string;
  /** How long to wait for another process to release the data folder; 0 (default) refuses at once. */
  lockWaitMs?: number;
  /** better-sqlite3's native binding to load (Electron passes the build made for its ABI). */
  nativeBinding?: string;
  /** How long SQLite waits on a busy database file before giving up (default 2000 ms). */
  busyTimeoutMs?: number;
  /** The clock, in ms since 1970 (tests pin it). */
  now?: () => number;
}

export interface NewRun {
  projectId: number;
  modelVersionId: number;
  datasetId: number;
  config: TrainingConfig;
  backend: string;
  device?: string | null;
  /** Defaults to config.seed. */
  seed?: number;
  name?: string | null;
  presetId?: string | null;
  /** `queued` (default) or `running` (also sets startedAt). */
  status?: 'queued' | 'running';
}

export interface FinishRun {
  status: FinishedRunStatus;
  finalMetrics?: Record<string, number>;
  error?: string | null;
  /** The test report (kept with the outcome, in the same transaction). */
  report?: Omit<RunReport, 'runId'> | null;
}

export interface NewComparison {
  projectId: number;
  name: string;
  runIds: readonly number[];
  notes?: string;
  /** `manual` (default), `ablation`, `seeds` or `lesson`. */
  kind?: ComparisonKind;
  /** The run an ablation or seed repeat started from: one of runIds. */
  baseRunId?: number | null;
  lessonId?: string | null;
}

export interface ResumePoint {
  run: Run;
  /** The latest checkpoint to continue from; null: start again from scratch. */
  checkpoint: CheckpointData | null;
  /** Metric points discarded because they came after the checkpoint (they will be recomputed). */
  discardedMetrics: number;
}

const METRIC_CHUNK = 64;

interface RunRow {
  id: number;
  project_id: number;
  model_version_id: number;
  dataset_id: number;
  name: string | null;
  preset_id: string | null;
  config: string;
  seed: number;
  backend: string;
  device: string | null;
  status: RunStatus;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  final_metrics: string | null;
}

interface CheckpointRow {
  id: number;
  run_id: number;
  epoch: number;
  kind: Checkpoint['kind'];
  manifest: string;
  weights_size: number;
  weights_sha256: string;
  optimizer_size: number;
  optimizer_sha256: string;
  created_at: number;
}

export class Store {
  private closed = false;
  private readonly statements = new Map<string, Database.Statement>();
  /** metric_names ids known to be committed. */
  private readonly nameIds = new Map<string, number>();

  private constructor(
    private readonly connection: Database.Database,
    private readonly lock: AcquiredLock,
    readonly report: OpenReport,
    private readonly now: () => number,
  ) {}

  /**
   * Opens (creating if needed) the store in `dataDir`: takes the folder's lock, moves a corrupt database
   * aside, upgrades the schema, and marks runs whose process died as `interrupted`. `report` says what
   * of that happened. Throws StoreError `DataDirLocked` when another live process holds the folder.
   */
  static open(dataDir: string, options: StoreOptions = {}): Store {
    const dir = resolve(dataDir);
    const now = options.now ?? Date.now;
    mkdirSync(dir, { recursive: true });
    const lock = acquireLock(dir, { owner: options.owner ?? 'cli', waitMs: options.lockWaitMs ?? 0 });
    try {
      const dbPath = join(dir, DB_FILE);
      const opened = openDatabase(dbPath, {
        ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
        ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
      });
      try {
        const from = migrate(opened.db);
        const interrupted = opened.db
          .prepare(
            `UPDATE runs SET status = 'interrupted', error = ?
             WHERE status IN (${LIVE_RUN_STATUSES.map((s) => `'${s}'`).join(', ')}) RETURNING id`,
          )
          .pluck()
          .all(`the process running it ended without finishing it (found on ${new Date(now()).toISOString()}); resume continues from its last checkpoint`) as number[];
        const report: OpenReport = {
          dataDir: dir,
          dbPath,
          created: opened.created,
          migratedFrom: !opened.created && from < SCHEMA_VERSION ? from : null,
          interruptedRuns: interrupted.sort((a, b) => a - b),
          movedAside: opened.movedAside,
          staleLock: lock.replaced ? { pid: lock.replaced.pid, acquiredAt: iso(lock.replaced.acquiredAt) } : null,
        };
        return new Store(opened.db, lock, report, now);
      } catch (error) {
        opened.db.close();
        throw error;
      }
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** Closes the database (folding the WAL into it) and releases the data folder. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.connection.close();
    } finally {
      this.lock.release();
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** The underlying connection: for the bundle code and tests, not for app code. */
  get sqlite(): Database.Database {
    if (this.closed) throw new StoreError('StoreClosed', 'the store is closed');
    return this.connection;
  }

  /** `PRAGMA integrity_check`: ['ok'] when the file is sound. */
  integrityCheck(): string[] {
    return (this.sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  // ---- projects ----

  createProject(input: { name: string; notes?: string }): Project {
    const name = checkName(input.name, 'project name');
    const id = this.run('INSERT INTO projects (name, notes, created_at) VALUES (?, ?, ?)', name, input.notes ?? '', this.now());
    return this.getProject(id);
  }

  getProject(id: number): Project {
    const row = this.get<{ id: number; name: string; notes: string; created_at: number }>('SELECT * FROM projects WHERE id = ?', checkId(id, 'project'));
    if (!row) throw notFound('ProjectNotFound', 'project', id);
    return { id: row.id, name: row.name, notes: row.notes, createdAt: iso(row.created_at) };
  }

  listProjects(): Project[] {
    return this.all<{ id: number }>('SELECT id FROM projects ORDER BY id').map((r) => this.getProject(r.id));
  }

  /** The oldest project with this name, created if there is none (the CLI records into `Default`). */
  ensureProject(name: string): Project {
    return this.tx(() => {
      const row = this.get<{ id: number }>('SELECT id FROM projects WHERE name = ? ORDER BY id LIMIT 1', checkName(name, 'project name'));
      return row ? this.getProject(row.id) : this.createProject({ name });
    });
  }

  updateProject(id: number, patch: { name?: string; notes?: string }): Project {
    return this.tx(() => {
      const project = this.getProject(id);
      const name = patch.name === undefined ? project.name : checkName(patch.name, 'project name');
      this.run('UPDATE projects SET name = ?, notes = ? WHERE id = ?', name, patch.notes ?? project.notes, id);
      return this.getProject(id);
    });
  }

  /** Deletes the project and everything in it: versions, datasets, runs, metrics, checkpoints, comparisons. */
  deleteProject(id: number): void {
    this.tx(() => {
      this.getProject(id);
      this.run('DELETE FROM projects WHERE id = ?', id);
    });
  }

  // ---- model versions ----

  /**
   * Keeps a spec as a version of the project's model. An identical spec (same canonical JSON) already kept
   * in the project is returned instead of a copy (`created: false`).
   */
  saveModelVersion(projectId: number, spec: ModelSpec, options: { parentId?: number | null } = {}): ModelVersion & { created: boolean } {
    const checked = checkModelSpec(spec);
    if (!checked.ok) {
      throw invalid(`the model spec is not valid: ${checked.errors.map((e) => e.message).join('; ')}`, { errors: checked.errors.map((e) => e.message) });
    }
    const json = canonicalJson(spec);
    const hash = sha256Hex(json);
    return this.tx(() => {
      this.getProject(projectId);
      const existing = this.get<{ id: number }>('SELECT id FROM model_versions WHERE project_id = ? AND hash = ?', projectId, hash);
      if (existing) return { ...this.getModelVersion(existing.id), created: false };
      const parentId = options.parentId ?? null;
      if (parentId !== null && this.getModelVersion(parentId).projectId !== projectId) {
        throw invalid(`model version ${parentId} belongs to another project than ${projectId}`, { parentId, projectId });
      }
      const id = this.run(
        'INSERT INTO model_versions (project_id, parent_id, name, spec, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        projectId,
        parentId,
        spec.name,
        json,
        hash,
        this.now(),
      );
      return { ...this.getModelVersion(id), created: true };
    });
  }

  getModelVersion(id: number): ModelVersion {
    const row = this.get<{ id: number; project_id: number; parent_id: number | null; name: string; spec: string; hash: string; created_at: number }>(
      'SELECT * FROM model_versions WHERE id = ?',
      checkId(id, 'model version'),
    );
    if (!row) throw notFound('ModelVersionNotFound', 'model version', id);
    return {
      id: row.id,
      projectId: row.project_id,
      parentId: row.parent_id,
      name: row.name,
      spec: JSON.parse(row.spec) as ModelSpec,
      hash: row.hash,
      createdAt: iso(row.created_at),
    };
  }

  listModelVersions(projectId: number): ModelVersion[] {
    this.getProject(projectId);
    return this.all<{ id: number }>('SELECT id FROM model_versions WHERE project_id = ? ORDER BY id', projectId).map((r) => this.getModelVersion(r.id));
  }

  // ---- datasets ----

  /** Records the data a run uses; the same fingerprint in the same project returns the existing record. */
  saveDataset(
    projectId: number,
    input: { source: DatasetRef; split: DatasetSplit; fingerprint?: string; name?: string },
  ): Dataset & { created: boolean } {
    const parsed = DatasetRefSchema.safeParse(input.source);
    if (!parsed.success) throw invalid(`the dataset source is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'source'} ${i.message}`).join('; ')}`);
    if (input.split === null || typeof input.split !== 'object' || Array.isArray(input.split)) throw invalid('the dataset split must be an object');
    const source = canonicalJson(parsed.data);
    const split = canonicalJson(input.split);
    const fingerprint = input.fingerprint ?? sha256Hex(canonicalJson({ source: parsed.data, split: input.split }));
    if (typeof fingerprint !== 'string' || fingerprint.length < 1 || fingerprint.length > 200) throw invalid('the dataset fingerprint must be a non-empty string of at most 200 characters');
    const name = input.name ?? defaultDatasetName(parsed.data);
    return this.tx(() => {
      this.getProject(projectId);
      const existing = this.get<{ id: number }>('SELECT id FROM datasets WHERE project_id = ? AND fingerprint = ?', projectId, fingerprint);
      if (existing) return { ...this.getDataset(existing.id), created: false };
      const id = this.run(
        'INSERT INTO datasets (project_id, name, source, split, fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        projectId,
        checkName(name, 'dataset name'),
        source,
        split,
        fingerprint,
        this.now(),
      );
      return { ...this.getDataset(id), created: true };
    });
  }

  getDataset(id: number): Dataset {
    const row = this.get<{ id: number; project_id: number; name: string; source: string; split: string; fingerprint: string; created_at: number }>(
      'SELECT * FROM datasets WHERE id = ?',
      checkId(id, 'dataset'),
    );
    if (!row) throw notFound('DatasetNotFound', 'dataset', id);
    return {
      id: row.id,
      projectId: row.project_id,
      name: row.name,
      source: JSON.parse(row.source) as DatasetRef,
      split: JSON.parse(row.split) as DatasetSplit,
      fingerprint: row.fingerprint,
      createdAt: iso(row.created_at),
    };
  }

  listDatasets(projectId: number): Dataset[] {
    this.getProject(projectId);
    return this.all<{ id: number }>('SELECT id FROM datasets WHERE project_id = ? ORDER BY id', projectId).map((r) => this.getDataset(r.id));
  }

  // ---- runs ----

  /** Records a run: the exact model version, data and full config (validated; every default filled in). */
  createRun(input: NewRun): Run {
    const config = parseTrainingConfig(input.config);
    if (!config.ok) throw invalid(`the training config is not valid: ${config.errors.map((e) => e.message).join('; ')}`, { errors: config.errors.map((e) => e.message) });
    const backend = checkName(input.backend, 'backend');
    const status = input.status ?? 'queued';
    if (status !== 'queued' && status !== 'running') throw invalid(`a new run starts queued or running (got ${JSON.stringify(status)})`);
    const seed = input.seed ?? config.value.seed;
    if (!Number.isSafeInteger(seed)) throw invalid(`seed must be an integer (got ${JSON.stringify(seed)})`);
    return this.tx(() => {
      this.getProject(input.projectId);
      const version = this.getModelVersion(input.modelVersionId);
      const dataset = this.getDataset(input.datasetId);
      for (const [what, owner] of [[`model version ${version.id}`, version.projectId], [`dataset ${dataset.id}`, dataset.projectId]] as const) {
        if (owner !== input.projectId) throw invalid(`${what} belongs to project ${owner}, not ${input.projectId}`);
      }
      const now = this.now();
      const id = this.run(
        `INSERT INTO runs (project_id, model_version_id, dataset_id, name, preset_id, config, seed, backend, device, status, created_at, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        input.projectId,
        version.id,
        dataset.id,
        input.name ?? null,
        input.presetId ?? null,
        canonicalJson(config.value),
        seed,
        backend,
        input.device ?? null,
        status,
        now,
        status === 'running' ? now : null,
      );
      return this.getRun(id);
    });
  }

  getRun(id: number): Run {
    const row = this.get<RunRow>('SELECT * FROM runs WHERE id = ?', checkId(id, 'run'));
    if (!row) throw notFound('RunNotFound', 'run', id);
    return runFromRow(row);
  }

  listRuns(filter: { projectId?: number; status?: RunStatus } = {}): RunListItem[] {
    const rows = this.all<RunRow & { model_name: string; dataset_name: string }>(
      `SELECT runs.*, model_versions.name AS model_name, datasets.name AS dataset_name
       FROM runs JOIN model_versions ON model_versions.id = runs.model_version_id JOIN datasets ON datasets.id = runs.dataset_id
       WHERE (@project IS NULL OR runs.project_id = @project) AND (@status IS NULL OR runs.status = @status)
       ORDER BY runs.id`,
      { project: filter.projectId ?? null, status: filter.status ?? null },
    );
    return rows.map((row) => ({ ...runFromRow(row), modelName: row.model_name, datasetName: row.dataset_name }));
  }

  /** Moves a run to another status (see RUN_TRANSITIONS); sets startedAt / finishedAt. */
  setRunStatus(id: number, status: RunStatus, options: { error?: string | null } = {}): Run {
    if (!RUN_STATUSES.includes(status)) throw invalid(`status must be one of ${RUN_STATUSES.join(', ')} (got ${JSON.stringify(status)})`);
    return this.tx(() => {
      const run = this.getRun(id);
      if (!RUN_TRANSITIONS[run.status].includes(status)) {
        const hint = isResumableRunStatus(run.status) && status === 'running' ? ' (resume it with beginResume)' : '';
        throw new StoreError('InvalidTransition', `run ${id} is ${run.status} and cannot become ${status}${hint}`, { id, from: run.status, to: status });
      }
      const now = this.now();
      this.run(
        `UPDATE runs SET status = ?, error = ?,
           started_at = CASE WHEN ? = 'running' THEN coalesce(started_at, ?) ELSE started_at END,
           finished_at = ? WHERE id = ?`,
        status,
        options.error === undefined ? (isLiveRunStatus(status) ? null : run.error) : options.error,
        status,
        now,
        isFinishedRunStatus(status) ? now : null,
        id,
      );
      return this.getRun(id);
    });
  }

  /**
   * The trainer has started: records the backend and device it actually got (`auto` resolves only then)
   * and makes a queued run `running`. A run already running (created running, or resumed) just gets them.
   */
  markRunStarted(id: number, info: { backend: string; device?: string | null }): Run {
    const backend = checkName(info.backend, 'backend');
    return this.tx(() => {
      const run = this.getRun(id);
      if (run.status === 'queued') this.setRunStatus(id, 'running');
      else if (run.status !== 'running') {
        throw new StoreError('InvalidTransition', `run ${id} is ${run.status} and cannot start`, { id, from: run.status, to: 'running' });
      }
      this.run('UPDATE runs SET backend = ?, device = ? WHERE id = ?', backend, info.device ?? null, id);
      return this.getRun(id);
    });
  }

  /** Ends a run with its final metrics, in one transaction. */
  finishRun(id: number, result: FinishRun): Run {
    if (!isFinishedRunStatus(result.status)) throw invalid(`a run finishes as one of ${FINISHED_RUN_STATUSES.join(', ')} (got ${JSON.stringify(result.status)})`);
    const metrics = result.finalMetrics === undefined ? undefined : finalMetricsJson(result.finalMetrics);
    const report = result.report ? reportJson({ ...result.report, runId: id }) : undefined;
    return this.tx(() => {
      this.setRunStatus(id, result.status, result.error === undefined ? {} : { error: result.error });
      if (metrics !== undefined) this.run('UPDATE runs SET final_metrics = ? WHERE id = ?', metrics, id);
      if (report !== undefined) this.writeReport(id, report);
      return this.getRun(id);
    });
  }

  /**
   * Prepares an interrupted or stopped run to continue: in one transaction it drops the metric points
   * recorded after the latest checkpoint (the resumed run recomputes them) and sets the run `running`.
   * Returns the checkpoint to load, or null when there is none (train again from the start).
   */
  beginResume(id: number): ResumePoint {
    return this.tx(() => {
      const run = this.getRun(id);
      if (!isResumableRunStatus(run.status)) {
        throw new StoreError('InvalidTransition', `run ${id} is ${run.status}; only an interrupted or stopped run can be resumed`, { id, from: run.status, to: 'running' });
      }
      const checkpoint = this.latestCheckpoint(id);
      const after = checkpoint ? checkpoint.checkpoint.epoch : -1;
      const discarded = this.sqlite.prepare('DELETE FROM metrics WHERE run_id = ? AND epoch > ?').run(id, after).changes;
      this.run('DELETE FROM run_reports WHERE run_id = ?', id);
      this.run(
        `UPDATE runs SET status = 'running', error = NULL, finished_at = NULL, final_metrics = NULL, started_at = coalesce(started_at, ?) WHERE id = ?`,
        this.now(),
        id,
      );
      return { run: this.getRun(id), checkpoint, discardedMetrics: discarded };
    });
  }

  /**
   * Saves the order of the queue: `runIds` first, in that order; other runs lose their place. Ids that
   * are not queued are ignored, so a stale order can never resurrect a finished run.
   */
  setQueueOrder(runIds: readonly number[]): void {
    this.tx(() => {
      this.run('UPDATE runs SET queue_position = NULL WHERE queue_position IS NOT NULL');
      runIds.forEach((id, position) => this.run("UPDATE runs SET queue_position = ? WHERE id = ? AND status = 'queued'", position, id));
    });
  }

  /** The saved order of queued runs (those without a saved place are not listed). */
  queueOrder(): number[] {
    return this.all<{ id: number }>(
      "SELECT id FROM runs WHERE status = 'queued' AND queue_position IS NOT NULL ORDER BY queue_position",
    ).map((row) => row.id);
  }

  /** Deletes a run with its metrics and checkpoints (and takes it out of comparisons). */
  deleteRun(id: number): void {
    this.tx(() => {
      this.getRun(id);
      this.run('DELETE FROM runs WHERE id = ?', id);
    });
  }

  // ---- metrics ----

  /**
   * Appends metric points in one transaction (all or none). A point with the same (name, epoch, step) as
   * one already kept replaces it. Commits without waiting for the disk (synchronous=NORMAL): a crash of the
   * process loses nothing committed; a power cut may lose the last batches, never earlier ones, and the
   * next checkpoint or status change (synchronous=FULL) makes every earlier batch durable.
   */
  appendMetrics(runId: number, points: readonly MetricPoint[]): number {
    checkId(runId, 'run');
    const db = this.sqlite;
    const outermost = !db.inTransaction;
    if (outermost) this.stmt('PRAGMA synchronous = NORMAL').run();
    try {
      // Checked and bound in one pass inside the transaction: a bad point throws, which rolls back the
      // rows already inserted, so the batch is still all or nothing.
      const names = this.tx(() => {
        if (!this.get('SELECT 1 FROM runs WHERE id = ?', runId)) throw notFound('RunNotFound', 'run', runId);
        const many = this.stmt(`INSERT OR REPLACE INTO metrics (run_id, name_id, epoch, step, value) VALUES ${Array(METRIC_CHUNK).fill('(?, ?, ?, ?, ?)').join(', ')}`);
        const one = this.stmt('INSERT OR REPLACE INTO metrics (run_id, name_id, epoch, step, value) VALUES (?, ?, ?, ?, ?)');
        const ids = new Map<string, number>();
        const args: (number | null)[] = new Array<number | null>(METRIC_CHUNK * 5);
        let k = 0;
        for (let i = 0; i < points.length; i++) {
          const point = points[i]!;
          const { name, epoch, value } = point;
          const step = point.step ?? null;
          if (typeof name !== 'string' || name.length === 0 || name.length > 100) throw invalid(`metrics[${i}].name must be a non-empty string of at most 100 characters (got ${JSON.stringify(name)})`);
          if (!Number.isSafeInteger(epoch) || epoch < 0) throw invalid(`metrics[${i}].epoch must be an integer >= 0 (got ${JSON.stringify(epoch)})`);
          if (step !== null && (!Number.isSafeInteger(step) || step < 0)) throw invalid(`metrics[${i}].step must be an integer >= 0 or null (got ${JSON.stringify(step)})`);
          if (typeof value !== 'number') throw invalid(`metrics[${i}].value must be a number (got ${JSON.stringify(value)})`);
          let id = ids.get(name);
          if (id === undefined) {
            id = this.metricNameId(name);
            ids.set(name, id);
          }
          args[k++] = runId;
          args[k++] = id;
          args[k++] = epoch;
          args[k++] = step ?? -1;
          // SQLite stores NaN as NULL; the API reads NULL back as NaN.
          args[k++] = value;
          if (k === args.length) {
            many.run(args);
            k = 0;
          }
        }
        for (let j = 0; j < k; j += 5) one.run(args[j], args[j + 1], args[j + 2], args[j + 3], args[j + 4]);
        return ids;
      });
      // Remember new names only once they are committed: an enclosing transaction may still roll back.
      if (outermost) for (const [name, id] of names) this.nameIds.set(name, id);
    } finally {
      if (outermost) this.stmt('PRAGMA synchronous = FULL').run();
    }
    return points.length;
  }

  /** The metric_names id of a name, adding it if it is new. */
  private metricNameId(name: string): number {
    const known = this.nameIds.get(name);
    if (known !== undefined) return known;
    this.run('INSERT INTO metric_names (name) VALUES (?) ON CONFLICT (name) DO NOTHING', name);
    return this.get<{ id: number }>('SELECT id FROM metric_names WHERE name = ?', name)!.id;
  }

  metricCount(runId: number): number {
    this.getRun(runId);
    return this.get<{ n: number }>('SELECT count(*) AS n FROM metrics WHERE run_id = ?', runId)!.n;
  }

  metricNames(runId: number): string[] {
    this.getRun(runId);
    return this.all<{ name: string }>(
      'SELECT name FROM metric_names WHERE id IN (SELECT DISTINCT name_id FROM metrics WHERE run_id = ?) ORDER BY name',
      runId,
    ).map((r) => r.name);
  }

  /** A run's curves, one series per metric name (all names, or those asked for), sorted by name. */
  metricSeries(runId: number, names?: readonly string[]): MetricSeries[] {
    this.getRun(runId);
    return this.readSeries(runId, names);
  }

  /** Curves of several runs for a comparison; a missing run throws RunNotFound. */
  loadCurves(runIds: readonly number[], names?: readonly string[]): RunCurves[] {
    return runIds.map((runId) => ({ runId, series: this.metricSeries(runId, names) }));
  }

  private readSeries(runId: number, names?: readonly string[]): MetricSeries[] {
    // One range scan of the clustered table per run; SQLite builds each column as a JSON array in C, which
    // is several times faster than materialising one JS row per point (bench/store.ts). Steps are only
    // built for points that have one (per-epoch series have none).
    const rows = this.all<{ id: number; name: string; n: number; ns: number; e: string; s: string; v: string }>(
      `SELECT m.name_id AS id, (SELECT name FROM metric_names WHERE id = m.name_id) AS name, count(*) AS n,
         count(*) FILTER (WHERE step >= 0) AS ns, json_group_array(epoch) AS e,
         json_group_array(step) FILTER (WHERE step >= 0) AS s, json_group_array(value) AS v
       FROM metrics AS m
       WHERE m.run_id = @run AND (@names IS NULL OR m.name_id IN (SELECT id FROM metric_names WHERE name IN (SELECT value FROM json_each(@names))))
       GROUP BY m.name_id ORDER BY name`,
      { run: runId, names: names ? JSON.stringify(names) : null },
    );
    return rows.map((row) => {
      const epochs = JSON.parse(row.e) as number[];
      const values = JSON.parse(row.v) as number[];
      // SQLite keeps NaN as NULL.
      for (let i = 0; i < values.length; i++) if (values[i] === null) values[i] = Number.NaN;
      let steps: (number | null)[];
      if (row.ns === 0) steps = new Array<null>(row.n).fill(null);
      else if (row.ns === row.n) steps = JSON.parse(row.s) as number[];
      else {
        // A series mixing per-epoch and per-step points: read its steps in full.
        steps = (this.stmt('SELECT step FROM metrics WHERE run_id = ? AND name_id = ? ORDER BY epoch, step').pluck().all(runId, row.id) as number[]).map((s) =>
          s < 0 ? null : s,
        );
      }
      // The scan follows the primary key, so points come in (epoch, step) order; check rather than trust it.
      let sorted = true;
      if (row.ns === 0) {
        for (let i = 1; i < epochs.length && sorted; i++) sorted = epochs[i - 1]! < epochs[i]!;
      } else {
        for (let i = 1; i < epochs.length && sorted; i++) {
          sorted = epochs[i - 1]! < epochs[i]! || (epochs[i - 1] === epochs[i] && (steps[i - 1] ?? -1) < (steps[i] ?? -1));
        }
      }
      if (sorted) return { name: row.name, epochs, steps, values };
      const key = (i: number) => steps[i] ?? -1;
      const order = epochs.map((_, i) => i).sort((a, b) => epochs[a]! - epochs[b]! || key(a) - key(b));
      return { name: row.name, epochs: order.map((i) => epochs[i]!), steps: order.map((i) => steps[i]!), values: order.map((i) => values[i]!) };
    });
  }

  // ---- checkpoints ----

  /**
   * Keeps a checkpoint: row and bytes in one durable transaction. A `best` or `last` checkpoint replaces
   * the run's previous one of that kind; `periodic` ones accumulate.
   */
  saveCheckpoint(runId: number, input: CheckpointInput): Checkpoint {
    if (!Number.isSafeInteger(input.epoch) || input.epoch < 0) throw invalid(`checkpoint epoch must be an integer >= 0 (got ${JSON.stringify(input.epoch)})`);
    if (!CHECKPOINT_KINDS.includes(input.kind)) throw invalid(`checkpoint kind must be one of ${CHECKPOINT_KINDS.join(', ')} (got ${JSON.stringify(input.kind)})`);
    for (const part of ['weights', 'optimizer'] as const) {
      const bytes = input[part];
      if (!(bytes instanceof Uint8Array)) throw invalid(`checkpoint ${part} must be a Uint8Array`);
      if (bytes.byteLength > MAX_CHECKPOINT_PART_BYTES) {
        throw invalid(`checkpoint ${part} is ${bytes.byteLength} bytes; the store keeps at most ${MAX_CHECKPOINT_PART_BYTES} per part`, { size: bytes.byteLength });
      }
    }
    let manifest: string;
    try {
      manifest = JSON.stringify(input.manifest);
    } catch (error) {
      throw invalid(`checkpoint manifest is not JSON: ${(error as Error).message}`);
    }
    if (manifest === undefined) throw invalid('checkpoint manifest is not JSON');
    const weights = Buffer.from(input.weights.buffer, input.weights.byteOffset, input.weights.byteLength);
    const optimizer = Buffer.from(input.optimizer.buffer, input.optimizer.byteOffset, input.optimizer.byteLength);
    return this.tx(() => {
      this.getRun(runId);
      if (input.kind !== 'periodic') this.run('DELETE FROM checkpoints WHERE run_id = ? AND kind = ?', runId, input.kind);
      const id = this.run(
        `INSERT INTO checkpoints (run_id, epoch, kind, manifest, weights_size, weights_sha256, optimizer_size, optimizer_sha256, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        runId,
        input.epoch,
        input.kind,
        manifest,
        weights.byteLength,
        sha256Hex(weights),
        optimizer.byteLength,
        sha256Hex(optimizer),
        this.now(),
      );
      this.run('INSERT INTO checkpoint_blobs (checkpoint_id, weights, optimizer) VALUES (?, ?, ?)', id, weights, optimizer);
      return this.getCheckpoint(id);
    });
  }

  getCheckpoint(id: number): Checkpoint {
    const row = this.get<CheckpointRow>('SELECT * FROM checkpoints WHERE id = ?', checkId(id, 'checkpoint'));
    if (!row) throw notFound('CheckpointNotFound', 'checkpoint', id);
    return checkpointFromRow(row);
  }

  /** A run's checkpoints by epoch (without their bytes). */
  listCheckpoints(runId: number): Checkpoint[] {
    this.getRun(runId);
    return this.all<CheckpointRow>('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY epoch, id', runId).map(checkpointFromRow);
  }

  /** A checkpoint with its bytes, checked against their sha256 (CheckpointCorrupt when they differ). */
  loadCheckpoint(id: number): CheckpointData {
    const checkpoint = this.getCheckpoint(id);
    const blobs = this.get<{ weights: Buffer; optimizer: Buffer }>('SELECT weights, optimizer FROM checkpoint_blobs WHERE checkpoint_id = ?', id);
    if (!blobs) throw new StoreError('CheckpointCorrupt', `checkpoint ${id} has no bytes`, { id });
    for (const part of ['weights', 'optimizer'] as const) {
      const actual = sha256Hex(blobs[part]);
      if (actual !== checkpoint[part].sha256 || blobs[part].byteLength !== checkpoint[part].size) {
        throw new StoreError('CheckpointCorrupt', `checkpoint ${id} ${part}: sha256 ${actual} does not match the recorded ${checkpoint[part].sha256}`, {
          id,
          part,
          expected: checkpoint[part].sha256,
          actual,
        });
      }
    }
    return { checkpoint, weights: blobs.weights, optimizer: blobs.optimizer };
  }

  /** The checkpoint to resume from: the highest epoch (the newest of equal epochs), with its bytes. */
  latestCheckpoint(runId: number): CheckpointData | null {
    this.getRun(runId);
    const row = this.get<{ id: number }>('SELECT id FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC, id DESC LIMIT 1', runId);
    return row ? this.loadCheckpoint(row.id) : null;
  }

  // ---- run reports ----

  /** Keeps (or replaces) a run's test report. */
  saveRunReport(runId: number, report: Omit<RunReport, 'runId'>): RunReport {
    const json = reportJson({ ...report, runId });
    return this.tx(() => {
      this.getRun(runId);
      this.writeReport(runId, json);
      return this.getRunReport(runId)!;
    });
  }

  /** A run's test report; null when it has none (not finished, diverged, or recorded before reports existed). */
  getRunReport(runId: number): RunReport | null {
    this.getRun(runId);
    const row = this.get<{ report: string }>('SELECT report FROM run_reports WHERE run_id = ?', runId);
    return row ? { ...(JSON.parse(row.report) as RunReport), runId } : null;
  }

  private writeReport(runId: number, json: string): void {
    this.run('INSERT OR REPLACE INTO run_reports (run_id, report, created_at) VALUES (?, ?, ?)', runId, json, this.now());
  }

  // ---- forks ----

  /**
   * "Resume from here": a new queued run with the source run's model version, dataset, config, seed and
   * backend, the source's metric points up to the checkpoint's epoch and a copy of the checkpoint (the run
   * queue continues a queued run that has a checkpoint from it). One transaction.
   */
  forkRun(checkpointId: number, options: { name?: string | null } = {}): Run {
    return this.tx(() => {
      const checkpoint = this.getCheckpoint(checkpointId);
      const source = this.getRun(checkpoint.runId);
      const name = options.name ?? `${source.name ?? `run ${source.id}`} from epoch ${checkpoint.epoch + 1}`;
      const fork = this.createRun({
        projectId: source.projectId,
        modelVersionId: source.modelVersionId,
        datasetId: source.datasetId,
        config: source.config,
        seed: source.seed,
        backend: source.backend,
        presetId: source.presetId,
        name: checkName(name.length > 200 ? `${name.slice(0, 199)}…` : name, 'run name'),
        status: 'queued',
      });
      this.run(
        'INSERT INTO metrics (run_id, name_id, epoch, step, value) SELECT ?, name_id, epoch, step, value FROM metrics WHERE run_id = ? AND epoch <= ?',
        fork.id,
        source.id,
        checkpoint.epoch,
      );
      const copied = this.run(
        `INSERT INTO checkpoints (run_id, epoch, kind, manifest, weights_size, weights_sha256, optimizer_size, optimizer_sha256, created_at)
         SELECT ?, epoch, kind, manifest, weights_size, weights_sha256, optimizer_size, optimizer_sha256, ? FROM checkpoints WHERE id = ?`,
        fork.id,
        this.now(),
        checkpointId,
      );
      this.run('INSERT INTO checkpoint_blobs (checkpoint_id, weights, optimizer) SELECT ?, weights, optimizer FROM checkpoint_blobs WHERE checkpoint_id = ?', copied, checkpointId);
      // Checked like any load: a damaged source checkpoint is refused rather than copied.
      this.loadCheckpoint(copied);
      return this.getRun(fork.id);
    });
  }

  // ---- comparisons ----

  saveComparison(input: NewComparison): Comparison {
    const name = checkName(input.name, 'comparison name');
    const kind = input.kind ?? 'manual';
    if (!COMPARISON_KINDS.includes(kind)) throw invalid(`comparison kind must be one of ${COMPARISON_KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
    const baseRunId = input.baseRunId ?? null;
    const lessonId = input.lessonId ?? null;
    if (lessonId !== null && (typeof lessonId !== 'string' || lessonId.length === 0 || lessonId.length > 100)) {
      throw invalid(`lessonId must be a non-empty string of at most 100 characters (got ${JSON.stringify(lessonId)})`);
    }
    if (baseRunId !== null && !input.runIds.includes(baseRunId)) throw invalid(`the base run ${baseRunId} must be one of the comparison's runs (${input.runIds.join(', ')})`);
    return this.tx(() => {
      this.getProject(input.projectId);
      this.checkComparisonRuns(input.projectId, input.runIds);
      const now = this.now();
      const id = this.run(
        'INSERT INTO comparisons (project_id, name, notes, kind, base_run_id, lesson_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        input.projectId,
        name,
        input.notes ?? '',
        kind,
        baseRunId,
        lessonId,
        now,
        now,
      );
      this.setComparisonRuns(id, input.runIds);
      return this.getComparison(id);
    });
  }

  updateComparison(id: number, patch: { name?: string; runIds?: readonly number[]; notes?: string }): Comparison {
    return this.tx(() => {
      const current = this.getComparison(id);
      const name = patch.name === undefined ? current.name : checkName(patch.name, 'comparison name');
      this.run('UPDATE comparisons SET name = ?, notes = ?, updated_at = ? WHERE id = ?', name, patch.notes ?? current.notes, this.now(), id);
      if (patch.runIds) {
        this.checkComparisonRuns(current.projectId, patch.runIds);
        this.run('DELETE FROM comparison_runs WHERE comparison_id = ?', id);
        this.setComparisonRuns(id, patch.runIds);
      }
      return this.getComparison(id);
    });
  }

  getComparison(id: number): Comparison {
    const row = this.get<{
      id: number;
      project_id: number;
      name: string;
      notes: string;
      kind: ComparisonKind;
      base_run_id: number | null;
      lesson_id: string | null;
      created_at: number;
      updated_at: number;
    }>('SELECT * FROM comparisons WHERE id = ?', checkId(id, 'comparison'));
    if (!row) throw notFound('ComparisonNotFound', 'comparison', id);
    const runIds = this.all<{ run_id: number }>('SELECT run_id FROM comparison_runs WHERE comparison_id = ? ORDER BY position', id).map((r) => r.run_id);
    return {
      id: row.id,
      projectId: row.project_id,
      name: row.name,
      notes: row.notes,
      runIds,
      kind: row.kind,
      baseRunId: row.base_run_id,
      lessonId: row.lesson_id,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    };
  }

  listComparisons(projectId: number): Comparison[] {
    this.getProject(projectId);
    return this.all<{ id: number }>('SELECT id FROM comparisons WHERE project_id = ? ORDER BY id', projectId).map((r) => this.getComparison(r.id));
  }

  deleteComparison(id: number): void {
    this.tx(() => {
      this.getComparison(id);
      this.run('DELETE FROM comparisons WHERE id = ?', id);
    });
  }

  private checkComparisonRuns(projectId: number, runIds: readonly number[]): void {
    if (!Array.isArray(runIds)) throw invalid('runIds must be an array of run ids');
    if (new Set(runIds).size !== runIds.length) throw invalid(`runIds lists a run twice (${runIds.join(', ')})`);
    for (const runId of runIds) {
      const run = this.getRun(runId);
      if (run.projectId !== projectId) throw invalid(`run ${runId} belongs to project ${run.projectId}, not ${projectId}`);
    }
  }

  private setComparisonRuns(id: number, runIds: readonly number[]): void {
    runIds.forEach((runId, position) => this.run('INSERT INTO comparison_runs (comparison_id, run_id, position) VALUES (?, ?, ?)', id, runId, position));
  }

  // ---- plumbing ----

  /** Runs `fn` in a transaction (a savepoint when already inside one): all of its writes or none. */
  tx<T>(fn: () => T): T {
    return this.sqlite.transaction(fn).immediate();
  }

  private stmt(sql: string): Database.Statement {
    if (this.closed) throw new StoreError('StoreClosed', 'the store is closed');
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.sqlite.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  private all<T>(sql: string, ...params: unknown[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  /** Runs a write; returns the new row id. */
  private run(sql: string, ...params: unknown[]): number {
    return Number(this.stmt(sql).run(...params).lastInsertRowid);
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function checkId(id: number, noun: string): number {
  if (!Number.isSafeInteger(id) || id < 1) throw invalid(`${noun} id must be a positive integer (got ${JSON.stringify(id)})`);
  return id;
}

function checkName(name: string, what: string): string {
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 200) {
    throw invalid(`${what} must be a non-empty string of at most 200 characters (got ${JSON.stringify(name)})`);
  }
  return name;
}

function finalMetricsJson(metrics: Record<string, number>): string {
  if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) throw invalid('finalMetrics must be an object of numbers');
  const out: FinalMetrics = {};
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value !== 'number') throw invalid(`finalMetrics.${key} must be a number (got ${JSON.stringify(value)})`);
    out[key] = Number.isFinite(value) ? value : null;
  }
  return canonicalJson(out);
}

/** A report as stored: a JSON object whose numbers are all finite (confidences and features). */
function reportJson(report: RunReport): string {
  if (report === null || typeof report !== 'object' || Array.isArray(report)) throw invalid('the run report must be an object');
  if (!Array.isArray(report.misclassified) || !Array.isArray(report.classNames) || !Array.isArray(report.inputShape)) {
    throw invalid('the run report needs classNames, inputShape and misclassified arrays');
  }
  let json: string;
  try {
    json = JSON.stringify({ ...report, runId: undefined });
  } catch (error) {
    throw invalid(`the run report is not JSON: ${(error as Error).message}`);
  }
  return json;
}

function defaultDatasetName(source: DatasetRef): string {
  return datasetRefName(source);
}

function runFromRow(row: RunRow): Run {
  return {
    id: row.id,
    projectId: row.project_id,
    modelVersionId: row.model_version_id,
    datasetId: row.dataset_id,
    name: row.name,
    presetId: row.preset_id,
    config: JSON.parse(row.config) as TrainingConfig,
    seed: row.seed,
    backend: row.backend,
    device: row.device,
    status: row.status,
    error: row.error,
    createdAt: iso(row.created_at),
    startedAt: row.started_at === null ? null : iso(row.started_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
    finalMetrics: row.final_metrics === null ? null : (JSON.parse(row.final_metrics) as FinalMetrics),
  };
}

function checkpointFromRow(row: CheckpointRow): Checkpoint {
  return {
    id: row.id,
    runId: row.run_id,
    epoch: row.epoch,
    kind: row.kind,
    manifest: JSON.parse(row.manifest) as JsonValue,
    weights: { size: row.weights_size, sha256: row.weights_sha256 },
    optimizer: { size: row.optimizer_size, sha256: row.optimizer_sha256 },
    size: row.weights_size + row.optimizer_size,
    createdAt: iso(row.created_at),
  };
}
