// Sweeps: the spec each one runs (base resolved inline), its status and run time, its trials (each linked to the
// run that trains it) and ASHA's decision at every rung a trial reached. Everything a sweep needs to continue
// after a crash is in these rows: the next trial's values and every pruning decision are rebuilt from them.
import { isDoneTrialState, TRIAL_STATES, type RunSweepMark, type SweepStatus, type SweepTrial, type TrialRung, type TrialState } from '../../../shared/index.js';
import { canonicalJson } from '../canonical.js';
import { checkId, checkName, iso, type StoreDb } from '../db.js';
import { invalid, notFound } from '../errors.js';
import { SWEEP_STATUS_VALUES } from '../schema.js';
import type { JsonValue } from '../types.js';
import type { ProjectRepository } from './projects.js';

/** A sweep's row; the API's Sweep adds what is computed from its plan and trials (core/sweeps). */
export interface SweepRecord {
  id: number;
  projectId: number;
  name: string;
  /** The stored spec (shared/sweeps SweepSpec), as JSON. */
  spec: JsonValue;
  status: SweepStatus;
  stopReason: string | null;
  concurrency: number;
  elapsedMs: number;
  createdAt: string;
  finishedAt: string | null;
}

export interface NewTrial {
  number: number;
  params: Record<string, number | string | boolean>;
  unused?: readonly string[];
  state: TrialState;
  runId: number | null;
  error?: string | null;
}

export interface TrialPatch {
  state?: TrialState;
  runId?: number | null;
  attempts?: number;
  epochs?: number;
  valLoss?: number | null;
  valAccuracy?: number | null;
  objective?: number | null;
  error?: string | null;
}

interface SweepRow {
  id: number;
  project_id: number;
  name: string;
  spec: string;
  status: SweepStatus;
  stop_reason: string | null;
  concurrency: number;
  elapsed_ms: number;
  created_at: number;
  finished_at: number | null;
}

interface TrialRow {
  id: number;
  sweep_id: number;
  number: number;
  params: string;
  unused: string;
  state: TrialState;
  run_id: number | null;
  attempts: number;
  epochs: number;
  val_loss: number | null;
  val_accuracy: number | null;
  objective: number | null;
  error: string | null;
  created_at: number;
  finished_at: number | null;
}

interface RungRow {
  trial_id: number;
  rung: number;
  epoch: number;
  value: number | null;
  promoted: number;
}

const finiteOrNull = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

export class SweepRepository {
  constructor(
    private readonly db: StoreDb,
    private readonly projects: ProjectRepository,
  ) {}

  create(input: { projectId: number; name: string; spec: JsonValue; concurrency: number }): SweepRecord {
    const name = checkName(input.name, 'sweep name');
    if (!Number.isSafeInteger(input.concurrency) || input.concurrency < 1) throw invalid(`concurrency must be a positive integer (got ${JSON.stringify(input.concurrency)})`);
    return this.db.tx(() => {
      this.projects.get(input.projectId);
      const id = this.db.run(
        "INSERT INTO sweeps (project_id, name, spec, status, concurrency, created_at) VALUES (?, ?, ?, 'running', ?, ?)",
        input.projectId,
        name,
        canonicalJson(input.spec),
        input.concurrency,
        this.db.now(),
      );
      return this.get(id);
    });
  }

  get(id: number): SweepRecord {
    const row = this.db.get<SweepRow>('SELECT * FROM sweeps WHERE id = ?', checkId(id, 'sweep'));
    if (!row) throw notFound('SweepNotFound', 'sweep', id);
    return sweepFromRow(row);
  }

  list(filter: { projectId?: number; status?: SweepStatus } = {}): SweepRecord[] {
    return this.db
      .all<SweepRow>('SELECT * FROM sweeps WHERE (@project IS NULL OR project_id = @project) AND (@status IS NULL OR status = @status) ORDER BY id', {
        project: filter.projectId ?? null,
        status: filter.status ?? null,
      })
      .map(sweepFromRow);
  }

  setStatus(id: number, status: SweepStatus, reason: string | null = null): SweepRecord {
    if (!SWEEP_STATUS_VALUES.includes(status)) throw invalid(`sweep status must be one of ${SWEEP_STATUS_VALUES.join(', ')} (got ${JSON.stringify(status)})`);
    return this.db.tx(() => {
      this.get(id);
      this.db.run('UPDATE sweeps SET status = ?, stop_reason = ?, finished_at = ? WHERE id = ?', status, reason, status === 'completed' ? this.db.now() : null, id);
      return this.get(id);
    });
  }

  setConcurrency(id: number, concurrency: number): SweepRecord {
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw invalid(`concurrency must be a positive integer (got ${JSON.stringify(concurrency)})`);
    this.db.run('UPDATE sweeps SET concurrency = ? WHERE id = ?', concurrency, id);
    return this.get(id);
  }

  /** Adds run time (the sweep keeps the sum of the stretches it ran, so stopped time never counts). */
  addElapsed(id: number, ms: number): void {
    if (ms > 0) this.db.run('UPDATE sweeps SET elapsed_ms = elapsed_ms + ? WHERE id = ?', Math.round(ms), id);
  }

  /** Deletes the sweep and its trials; the runs stay with the project. */
  delete(id: number): void {
    this.db.tx(() => {
      this.get(id);
      this.db.run('DELETE FROM sweeps WHERE id = ?', id);
    });
  }

  // ---- trials ----

  addTrial(sweepId: number, input: NewTrial): SweepTrial {
    return this.db.tx(() => {
      this.get(sweepId);
      const now = this.db.now();
      const id = this.db.run(
        `INSERT INTO sweep_trials (sweep_id, number, params, unused, state, run_id, error, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        sweepId,
        input.number,
        canonicalJson(input.params),
        JSON.stringify(input.unused ?? []),
        checkState(input.state),
        input.runId,
        input.error ?? null,
        now,
        isDoneTrialState(input.state) ? now : null,
      );
      return this.trial(id);
    });
  }

  trial(id: number): SweepTrial {
    const row = this.db.get<TrialRow>('SELECT * FROM sweep_trials WHERE id = ?', id);
    if (!row) throw invalid(`trial ${id} does not exist`, { id });
    return trialFromRow(row, this.rungsOf([id]).get(id) ?? []);
  }

  trials(sweepId: number): SweepTrial[] {
    const rows = this.db.all<TrialRow>('SELECT * FROM sweep_trials WHERE sweep_id = ? ORDER BY number', sweepId);
    const rungs = this.rungsOf(rows.map((r) => r.id));
    return rows.map((r) => trialFromRow(r, rungs.get(r.id) ?? []));
  }

  /** The trial a run trains, if any. */
  trialOfRun(runId: number): SweepTrial | null {
    const row = this.db.get<TrialRow>('SELECT * FROM sweep_trials WHERE run_id = ?', runId);
    return row ? trialFromRow(row, this.rungsOf([row.id]).get(row.id) ?? []) : null;
  }

  updateTrial(id: number, patch: TrialPatch): SweepTrial {
    const sets: string[] = [];
    const values: unknown[] = [];
    const set = (column: string, value: unknown) => {
      sets.push(`${column} = ?`);
      values.push(value);
    };
    if (patch.state !== undefined) {
      set('state', checkState(patch.state));
      set('finished_at', isDoneTrialState(patch.state) ? this.db.now() : null);
    }
    if (patch.runId !== undefined) set('run_id', patch.runId);
    if (patch.attempts !== undefined) set('attempts', patch.attempts);
    if (patch.epochs !== undefined) set('epochs', patch.epochs);
    if (patch.valLoss !== undefined) set('val_loss', finiteOrNull(patch.valLoss));
    if (patch.valAccuracy !== undefined) set('val_accuracy', finiteOrNull(patch.valAccuracy));
    if (patch.objective !== undefined) set('objective', finiteOrNull(patch.objective));
    if (patch.error !== undefined) set('error', patch.error);
    if (sets.length) this.db.run(`UPDATE sweep_trials SET ${sets.join(', ')} WHERE id = ?`, ...values, id);
    return this.trial(id);
  }

  // ---- ASHA's rungs ----

  /**
   * Records a trial's value and the decision at a rung, unless one is recorded already: then that decision
   * stands (a trial resumed from a checkpoint reports the rung's epoch again) and is returned.
   */
  recordRung(trialId: number, input: { rung: number; epoch: number; value: number | null; promoted: boolean }): TrialRung {
    return this.db.tx(() => {
      const existing = this.db.get<RungRow>('SELECT * FROM sweep_rungs WHERE trial_id = ? AND rung = ?', trialId, input.rung);
      if (existing) return rungFromRow(existing);
      const seq = (this.db.get<{ n: number }>('SELECT coalesce(max(seq), 0) + 1 AS n FROM sweep_rungs')?.n ?? 1) as number;
      this.db.run(
        'INSERT INTO sweep_rungs (trial_id, rung, epoch, value, promoted, seq) VALUES (?, ?, ?, ?, ?, ?)',
        trialId,
        input.rung,
        input.epoch,
        finiteOrNull(input.value),
        input.promoted ? 1 : 0,
        seq,
      );
      return { rung: input.rung, epoch: input.epoch, value: finiteOrNull(input.value), promoted: input.promoted };
    });
  }

  /** Values recorded at a rung by the sweep's trials (other than `exceptTrial`), in the order they were decided. */
  rungValues(sweepId: number, rung: number, exceptTrial?: number): (number | null)[] {
    return this.db
      .all<{ value: number | null }>(
        `SELECT r.value FROM sweep_rungs r JOIN sweep_trials t ON t.id = r.trial_id
         WHERE t.sweep_id = ? AND r.rung = ? AND r.trial_id != ? ORDER BY r.seq`,
        sweepId,
        rung,
        exceptTrial ?? -1,
      )
      .map((r) => r.value);
  }

  /** Each run of a project that a sweep trains: its sweep, trial number and trial state. */
  marks(projectId?: number): Map<number, RunSweepMark> {
    const rows = this.db.all<{ run_id: number; sweep_id: number; number: number; state: TrialState }>(
      `SELECT t.run_id, t.sweep_id, t.number, t.state FROM sweep_trials t JOIN sweeps s ON s.id = t.sweep_id
       WHERE t.run_id IS NOT NULL AND (@project IS NULL OR s.project_id = @project)`,
      { project: projectId ?? null },
    );
    return new Map(rows.map((r) => [r.run_id, { sweepId: r.sweep_id, trial: r.number, state: r.state }]));
  }

  private rungsOf(trialIds: readonly number[]): Map<number, TrialRung[]> {
    const out = new Map<number, TrialRung[]>();
    if (!trialIds.length) return out;
    const rows = this.db.all<RungRow>(`SELECT * FROM sweep_rungs WHERE trial_id IN (${trialIds.map(() => '?').join(', ')}) ORDER BY rung`, ...trialIds);
    for (const r of rows) out.set(r.trial_id, [...(out.get(r.trial_id) ?? []), rungFromRow(r)]);
    return out;
  }
}

function checkState(state: TrialState): TrialState {
  if (!TRIAL_STATES.includes(state)) throw invalid(`trial state must be one of ${TRIAL_STATES.join(', ')} (got ${JSON.stringify(state)})`);
  return state;
}

function sweepFromRow(row: SweepRow): SweepRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    spec: JSON.parse(row.spec) as JsonValue,
    status: row.status,
    stopReason: row.stop_reason,
    concurrency: row.concurrency,
    elapsedMs: row.elapsed_ms,
    createdAt: iso(row.created_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
  };
}

function rungFromRow(row: RungRow): TrialRung {
  return { rung: row.rung, epoch: row.epoch, value: row.value, promoted: row.promoted === 1 };
}

function trialFromRow(row: TrialRow, rungs: TrialRung[]): SweepTrial {
  return {
    id: row.id,
    sweepId: row.sweep_id,
    number: row.number,
    params: JSON.parse(row.params) as SweepTrial['params'],
    unused: JSON.parse(row.unused) as string[],
    state: row.state,
    runId: row.run_id,
    attempts: row.attempts,
    epochs: row.epochs,
    valLoss: row.val_loss,
    valAccuracy: row.val_accuracy,
    objective: row.objective,
    rung: rungs.length ? Math.max(...rungs.map((r) => r.rung)) : null,
    rungs,
    error: row.error,
    createdAt: iso(row.created_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
  };
}
