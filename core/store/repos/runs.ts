// Runs: the exact model version, data and config each one trained, its status (moved only along
// RUN_TRANSITIONS), timings, final metrics and test report, and the queue's saved order.
import {
  FAILED_CAUSES,
  FINISHED_RUN_STATUSES,
  INTERRUPTED_CAUSES,
  isFinishedRunStatus,
  isLiveRunStatus,
  isResumableRunStatus,
  parseTrainingConfig,
  RUN_STATUSES,
  RUN_TRANSITIONS,
  RUN_WARNING_KINDS,
  type FinishedRunStatus,
  type RunStatusCause,
  type RunWarning,
  type TrainingConfig,
} from '../../../shared/index.js';
import { canonicalJson } from '../canonical.js';
import { checkId, checkName, iso, type StoreDb } from '../db.js';
import { invalid, notFound, StoreError } from '../errors.js';
import type { FinalMetrics, Run, RunListItem, RunReport, RunStatus } from '../types.js';
import type { DatasetRepository } from './datasets.js';
import type { ProjectRepository } from './projects.js';

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
  /** Why it failed (a FAILED_CAUSES code). */
  cause?: RunStatusCause | null;
  /** The test report (kept with the outcome, in the same transaction). */
  report?: Omit<RunReport, 'runId'> | null;
}

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
  status_cause: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  final_metrics: string | null;
}

export class RunRepository {
  constructor(
    private readonly db: StoreDb,
    private readonly projects: ProjectRepository,
    private readonly datasets: DatasetRepository,
  ) {}

  /** Records a run: the exact model version, data and full config (validated; every default filled in). */
  create(input: NewRun): Run {
    const config = parseTrainingConfig(input.config);
    if (!config.ok) throw invalid(`the training config is not valid: ${config.errors.map((e) => e.message).join('; ')}`, { errors: config.errors.map((e) => e.message) });
    const backend = checkName(input.backend, 'backend');
    const status = input.status ?? 'queued';
    if (status !== 'queued' && status !== 'running') throw invalid(`a new run starts queued or running (got ${JSON.stringify(status)})`);
    const seed = input.seed ?? config.value.seed;
    if (!Number.isSafeInteger(seed)) throw invalid(`seed must be an integer (got ${JSON.stringify(seed)})`);
    return this.db.tx(() => {
      this.projects.get(input.projectId);
      const version = this.projects.getVersion(input.modelVersionId);
      const dataset = this.datasets.get(input.datasetId);
      for (const [what, owner] of [[`model version ${version.id}`, version.projectId], [`dataset ${dataset.id}`, dataset.projectId]] as const) {
        if (owner !== input.projectId) throw invalid(`${what} belongs to project ${owner}, not ${input.projectId}`);
      }
      const now = this.db.now();
      const id = this.db.run(
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
      return this.get(id);
    });
  }

  get(id: number): Run {
    const row = this.db.get<RunRow>('SELECT * FROM runs WHERE id = ?', checkId(id, 'run'));
    if (!row) throw notFound('RunNotFound', 'run', id);
    return runFromRow(row, this.warnings(id));
  }

  list(filter: { projectId?: number; status?: RunStatus } = {}): RunListItem[] {
    const rows = this.db.all<RunRow & { model_name: string; dataset_name: string }>(
      `SELECT runs.*, model_versions.name AS model_name, datasets.name AS dataset_name
       FROM runs JOIN model_versions ON model_versions.id = runs.model_version_id JOIN datasets ON datasets.id = runs.dataset_id
       WHERE (@project IS NULL OR runs.project_id = @project) AND (@status IS NULL OR runs.status = @status)
       ORDER BY runs.id`,
      { project: filter.projectId ?? null, status: filter.status ?? null },
    );
    const warnings = new Map<number, RunWarning[]>();
    for (const w of this.db.all<{ run_id: number; warning: string }>(
      `SELECT run_warnings.run_id, run_warnings.warning FROM run_warnings JOIN runs ON runs.id = run_warnings.run_id
       WHERE (@project IS NULL OR runs.project_id = @project) AND (@status IS NULL OR runs.status = @status) ORDER BY run_warnings.run_id, run_warnings.kind`,
      { project: filter.projectId ?? null, status: filter.status ?? null },
    )) {
      const list = warnings.get(w.run_id) ?? [];
      list.push(JSON.parse(w.warning) as RunWarning);
      warnings.set(w.run_id, list);
    }
    return rows.map((row) => ({ ...runFromRow(row, warnings.get(row.id) ?? []), modelName: row.model_name, datasetName: row.dataset_name }));
  }

  /**
   * Moves a run to another status (see RUN_TRANSITIONS); sets startedAt / finishedAt. `cause` says why an
   * `interrupted` or `failed` run is so (INTERRUPTED_CAUSES / FAILED_CAUSES); every other status has none.
   */
  setStatus(id: number, status: RunStatus, options: { error?: string | null; cause?: RunStatusCause | null } = {}): Run {
    if (!RUN_STATUSES.includes(status)) throw invalid(`status must be one of ${RUN_STATUSES.join(', ')} (got ${JSON.stringify(status)})`);
    const cause = checkCause(status, options.cause ?? null);
    return this.db.tx(() => {
      const run = this.get(id);
      if (!RUN_TRANSITIONS[run.status].includes(status)) {
        const hint = isResumableRunStatus(run.status) && status === 'running' ? ' (resume it with beginResume)' : '';
        throw new StoreError('InvalidTransition', `run ${id} is ${run.status} and cannot become ${status}${hint}`, { id, from: run.status, to: status });
      }
      const now = this.db.now();
      this.db.run(
        `UPDATE runs SET status = ?, error = ?, status_cause = ?,
           started_at = CASE WHEN ? = 'running' THEN coalesce(started_at, ?) ELSE started_at END,
           finished_at = ? WHERE id = ?`,
        status,
        options.error === undefined ? (isLiveRunStatus(status) ? null : run.error) : options.error,
        cause,
        status,
        now,
        isFinishedRunStatus(status) ? now : null,
        id,
      );
      return this.get(id);
    });
  }

  /**
   * The trainer has started: records the backend and device it actually got (`auto` resolves only then)
   * and makes a queued run `running`. A run already running (created running, or resumed) just gets them.
   */
  markStarted(id: number, info: { backend: string; device?: string | null }): Run {
    const backend = checkName(info.backend, 'backend');
    return this.db.tx(() => {
      const run = this.get(id);
      if (run.status === 'queued') this.setStatus(id, 'running');
      else if (run.status !== 'running') {
        throw new StoreError('InvalidTransition', `run ${id} is ${run.status} and cannot start`, { id, from: run.status, to: 'running' });
      }
      this.db.run('UPDATE runs SET backend = ?, device = ? WHERE id = ?', backend, info.device ?? null, id);
      return this.get(id);
    });
  }

  /** Ends a run with its final metrics, in one transaction. */
  finish(id: number, result: FinishRun): Run {
    if (!isFinishedRunStatus(result.status)) throw invalid(`a run finishes as one of ${FINISHED_RUN_STATUSES.join(', ')} (got ${JSON.stringify(result.status)})`);
    const metrics = result.finalMetrics === undefined ? undefined : finalMetricsJson(result.finalMetrics);
    const report = result.report ? reportJson({ ...result.report, runId: id }) : undefined;
    return this.db.tx(() => {
      this.setStatus(id, result.status, { ...(result.error === undefined ? {} : { error: result.error }), cause: result.cause ?? null });
      if (metrics !== undefined) this.db.run('UPDATE runs SET final_metrics = ? WHERE id = ?', metrics, id);
      if (report !== undefined) this.writeReport(id, report);
      return this.get(id);
    });
  }

  /**
   * Back to `running` after an interrupted or stopped end: the outcome (error, finish time, final metrics,
   * report) is cleared. Only `beginResume` calls this, in the transaction that also drops later metrics.
   */
  reopen(id: number): Run {
    return this.db.tx(() => {
      this.db.run('DELETE FROM run_reports WHERE run_id = ?', id);
      this.db.run(
        `UPDATE runs SET status = 'running', error = NULL, status_cause = NULL, finished_at = NULL, final_metrics = NULL, started_at = coalesce(started_at, ?) WHERE id = ?`,
        this.db.now(),
        id,
      );
      return this.get(id);
    });
  }

  /**
   * Saves the order of the queue: `runIds` first, in that order; other runs lose their place. Ids that
   * are not queued are ignored, so a stale order can never resurrect a finished run.
   */
  setQueueOrder(runIds: readonly number[]): void {
    this.db.tx(() => {
      this.db.run('UPDATE runs SET queue_position = NULL WHERE queue_position IS NOT NULL');
      runIds.forEach((id, position) => this.db.run("UPDATE runs SET queue_position = ? WHERE id = ? AND status = 'queued'", position, id));
    });
  }

  /** The saved order of queued runs (those without a saved place are not listed). */
  queueOrder(): number[] {
    return this.db.all<{ id: number }>(
      "SELECT id FROM runs WHERE status = 'queued' AND queue_position IS NOT NULL ORDER BY queue_position",
    ).map((row) => row.id);
  }

  /** Deletes a run with its metrics and checkpoints (and takes it out of comparisons). */
  delete(id: number): void {
    this.db.tx(() => {
      this.get(id);
      this.db.run('DELETE FROM runs WHERE id = ?', id);
    });
  }

  // ---- warnings ----

  /** Keeps a run's warning of this kind (one per kind: a later one replaces it, e.g. with a higher peak). */
  saveWarning(runId: number, warning: RunWarning): void {
    if (!(RUN_WARNING_KINDS as readonly string[]).includes(warning.kind)) throw invalid(`warning kind must be one of ${RUN_WARNING_KINDS.join(', ')} (got ${JSON.stringify(warning.kind)})`);
    if (!Number.isSafeInteger(warning.epoch) || warning.epoch < 0) throw invalid(`warning epoch must be an integer >= 0 (got ${JSON.stringify(warning.epoch)})`);
    this.db.tx(() => {
      this.get(runId);
      this.db.run(
        'INSERT OR REPLACE INTO run_warnings (run_id, kind, epoch, warning, created_at) VALUES (?, ?, ?, ?, ?)',
        runId,
        warning.kind,
        warning.epoch,
        JSON.stringify(warning),
        this.db.now(),
      );
    });
  }

  /** A run's warnings, by kind. */
  warnings(runId: number): RunWarning[] {
    return this.db.all<{ warning: string }>('SELECT warning FROM run_warnings WHERE run_id = ? ORDER BY kind', runId).map((r) => JSON.parse(r.warning) as RunWarning);
  }

  /** Drops the warnings first seen after `epoch` (a resumed run sees those epochs again); returns how many. */
  discardWarningsAfter(runId: number, epoch: number): number {
    return this.db.change('DELETE FROM run_warnings WHERE run_id = ? AND epoch > ?', runId, epoch);
  }

  // ---- reports ----

  /** Keeps (or replaces) a run's test report. */
  saveReport(runId: number, report: Omit<RunReport, 'runId'>): RunReport {
    const json = reportJson({ ...report, runId });
    return this.db.tx(() => {
      this.get(runId);
      this.writeReport(runId, json);
      return this.getReport(runId)!;
    });
  }

  /** A run's test report; null when it has none (not finished, diverged, or recorded before reports existed). */
  getReport(runId: number): RunReport | null {
    this.get(runId);
    const row = this.db.get<{ report: string }>('SELECT report FROM run_reports WHERE run_id = ?', runId);
    return row ? { ...(JSON.parse(row.report) as RunReport), runId } : null;
  }

  private writeReport(runId: number, json: string): void {
    this.db.run('INSERT OR REPLACE INTO run_reports (run_id, report, created_at) VALUES (?, ?, ?)', runId, json, this.db.now());
  }
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

/** The cause a status may carry: interrupted and failed runs say why (or null when unknown); others have none. */
function checkCause(status: RunStatus, cause: RunStatusCause | null): RunStatusCause | null {
  if (cause === null) return null;
  const allowed: readonly string[] = status === 'interrupted' ? INTERRUPTED_CAUSES : status === 'failed' ? FAILED_CAUSES : [];
  if (!allowed.includes(cause)) {
    throw invalid(
      allowed.length ? `a run ${status} for cause ${JSON.stringify(cause)}: the causes of ${status} are ${allowed.join(', ')}` : `a ${status} run has no cause (got ${JSON.stringify(cause)})`,
      { status, cause },
    );
  }
  return cause;
}

function runFromRow(row: RunRow, warnings: RunWarning[]): Run {
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
    statusCause: row.status_cause as RunStatusCause | null,
    warnings,
    createdAt: iso(row.created_at),
    startedAt: row.started_at === null ? null : iso(row.started_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
    finalMetrics: row.final_metrics === null ? null : (JSON.parse(row.final_metrics) as FinalMetrics),
  };
}
