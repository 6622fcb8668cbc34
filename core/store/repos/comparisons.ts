// Saved comparisons: a project's runs in an order, made by hand, by an ablation, a seed repeat or a lesson.
import { checkId, checkName, iso, type StoreDb } from '../db.js';
import { invalid, notFound } from '../errors.js';
import { COMPARISON_KINDS } from '../schema.js';
import type { Comparison, ComparisonKind } from '../types.js';
import type { ProjectRepository } from './projects.js';
import type { RunRepository } from './runs.js';

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

export class ComparisonRepository {
  constructor(
    private readonly db: StoreDb,
    private readonly projects: ProjectRepository,
    private readonly runs: RunRepository,
  ) {}

  save(input: NewComparison): Comparison {
    const name = checkName(input.name, 'comparison name');
    const kind = input.kind ?? 'manual';
    if (!COMPARISON_KINDS.includes(kind)) throw invalid(`comparison kind must be one of ${COMPARISON_KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
    const baseRunId = input.baseRunId ?? null;
    const lessonId = input.lessonId ?? null;
    if (lessonId !== null && (typeof lessonId !== 'string' || lessonId.length === 0 || lessonId.length > 100)) {
      throw invalid(`lessonId must be a non-empty string of at most 100 characters (got ${JSON.stringify(lessonId)})`);
    }
    if (baseRunId !== null && !input.runIds.includes(baseRunId)) throw invalid(`the base run ${baseRunId} must be one of the comparison's runs (${input.runIds.join(', ')})`);
    return this.db.tx(() => {
      this.projects.get(input.projectId);
      this.checkRuns(input.projectId, input.runIds);
      const now = this.db.now();
      const id = this.db.run(
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
      this.setRuns(id, input.runIds);
      return this.get(id);
    });
  }

  update(id: number, patch: { name?: string; runIds?: readonly number[]; notes?: string }): Comparison {
    return this.db.tx(() => {
      const current = this.get(id);
      const name = patch.name === undefined ? current.name : checkName(patch.name, 'comparison name');
      this.db.run('UPDATE comparisons SET name = ?, notes = ?, updated_at = ? WHERE id = ?', name, patch.notes ?? current.notes, this.db.now(), id);
      if (patch.runIds) {
        this.checkRuns(current.projectId, patch.runIds);
        this.db.run('DELETE FROM comparison_runs WHERE comparison_id = ?', id);
        this.setRuns(id, patch.runIds);
      }
      return this.get(id);
    });
  }

  get(id: number): Comparison {
    const row = this.db.get<{
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
    const runIds = this.db.all<{ run_id: number }>('SELECT run_id FROM comparison_runs WHERE comparison_id = ? ORDER BY position', id).map((r) => r.run_id);
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

  list(projectId: number): Comparison[] {
    this.projects.get(projectId);
    return this.db.all<{ id: number }>('SELECT id FROM comparisons WHERE project_id = ? ORDER BY id', projectId).map((r) => this.get(r.id));
  }

  delete(id: number): void {
    this.db.tx(() => {
      this.get(id);
      this.db.run('DELETE FROM comparisons WHERE id = ?', id);
    });
  }

  private checkRuns(projectId: number, runIds: readonly number[]): void {
    if (!Array.isArray(runIds)) throw invalid('runIds must be an array of run ids');
    if (new Set(runIds).size !== runIds.length) throw invalid(`runIds lists a run twice (${runIds.join(', ')})`);
    for (const runId of runIds) {
      const run = this.runs.get(runId);
      if (run.projectId !== projectId) throw invalid(`run ${runId} belongs to project ${run.projectId}, not ${projectId}`);
    }
  }

  private setRuns(id: number, runIds: readonly number[]): void {
    runIds.forEach((runId, position) => this.db.run('INSERT INTO comparison_runs (comparison_id, run_id, position) VALUES (?, ?, ?)', id, runId, position));
  }
}
