// Projects and their model versions (specs kept by canonical-JSON hash, deduplicated per project).
import { checkModelSpec, type ModelSpec } from '../../../shared/index.js';
import { canonicalJson, sha256Hex } from '../canonical.js';
import { checkId, checkName, iso, type StoreDb } from '../db.js';
import { invalid, notFound } from '../errors.js';
import { LIVE_RUN_STATUSES } from '../../../shared/runs/statuses.js';
import type { ModelVersion, Project, ProjectStats } from '../types.js';

export class ProjectRepository {
  constructor(private readonly db: StoreDb) {}

  create(input: { name: string; notes?: string }): Project {
    const name = checkName(input.name, 'project name');
    const id = this.db.run('INSERT INTO projects (name, notes, created_at) VALUES (?, ?, ?)', name, input.notes ?? '', this.db.now());
    return this.get(id);
  }

  get(id: number): Project {
    const row = this.db.get<{ id: number; name: string; notes: string; created_at: number }>('SELECT * FROM projects WHERE id = ?', checkId(id, 'project'));
    if (!row) throw notFound('ProjectNotFound', 'project', id);
    return { id: row.id, name: row.name, notes: row.notes, createdAt: iso(row.created_at) };
  }

  list(): Project[] {
    return this.db.all<{ id: number }>('SELECT id FROM projects ORDER BY id').map((r) => this.get(r.id));
  }

  /**
   * Per project: its runs, how many train now or wait, and its best final validation accuracy with the run, in
   * one query (the project list would otherwise ask for every project's runs).
   */
  stats(): ProjectStats[] {
    const live = LIVE_RUN_STATUSES.map((s) => `'${s}'`).join(', ');
    const acc = "json_extract(r.final_metrics, '$.valAccuracy')";
    return this.db
      .all<{ id: number; runs: number; training: number | null; queued: number | null; best: number | null; best_run: number | null }>(
        `SELECT p.id,
                COUNT(r.id) AS runs,
                SUM(r.status IN (${live})) AS training,
                SUM(r.status = 'queued') AS queued,
                MAX(${acc}) AS best,
                (SELECT r2.id FROM runs r2 WHERE r2.project_id = p.id AND json_type(r2.final_metrics, '$.valAccuracy') IN ('real', 'integer')
                  ORDER BY json_extract(r2.final_metrics, '$.valAccuracy') DESC, r2.id LIMIT 1) AS best_run
           FROM projects p LEFT JOIN runs r ON r.project_id = p.id
          GROUP BY p.id ORDER BY p.id`,
      )
      .map((row) => ({
        projectId: row.id,
        runs: row.runs,
        training: row.training ?? 0,
        queued: row.queued ?? 0,
        bestValAccuracy: typeof row.best === 'number' ? row.best : null,
        bestRunId: typeof row.best === 'number' ? row.best_run : null,
      }));
  }

  /** The oldest project with this name, created if there is none (the CLI records into `Default`). */
  ensure(name: string): Project {
    return this.db.tx(() => {
      const row = this.db.get<{ id: number }>('SELECT id FROM projects WHERE name = ? ORDER BY id LIMIT 1', checkName(name, 'project name'));
      return row ? this.get(row.id) : this.create({ name });
    });
  }

  update(id: number, patch: { name?: string; notes?: string }): Project {
    return this.db.tx(() => {
      const project = this.get(id);
      const name = patch.name === undefined ? project.name : checkName(patch.name, 'project name');
      this.db.run('UPDATE projects SET name = ?, notes = ? WHERE id = ?', name, patch.notes ?? project.notes, id);
      return this.get(id);
    });
  }

  /** Deletes the project and everything in it: versions, datasets, runs, metrics, checkpoints, comparisons. */
  delete(id: number): void {
    this.db.tx(() => {
      this.get(id);
      this.db.run('DELETE FROM projects WHERE id = ?', id);
    });
  }

  // ---- model versions ----

  /**
   * Keeps a spec as a version of the project's model. An identical spec (same canonical JSON) already kept
   * in the project is returned instead of a copy (`created: false`).
   */
  saveVersion(projectId: number, spec: ModelSpec, options: { parentId?: number | null } = {}): ModelVersion & { created: boolean } {
    const checked = checkModelSpec(spec);
    if (!checked.ok) {
      throw invalid(`the model spec is not valid: ${checked.errors.map((e) => e.message).join('; ')}`, { errors: checked.errors.map((e) => e.message) });
    }
    const json = canonicalJson(spec);
    const hash = sha256Hex(json);
    return this.db.tx(() => {
      this.get(projectId);
      const existing = this.db.get<{ id: number }>('SELECT id FROM model_versions WHERE project_id = ? AND hash = ?', projectId, hash);
      if (existing) return { ...this.getVersion(existing.id), created: false };
      const parentId = options.parentId ?? null;
      if (parentId !== null && this.getVersion(parentId).projectId !== projectId) {
        throw invalid(`model version ${parentId} belongs to another project than ${projectId}`, { parentId, projectId });
      }
      const id = this.db.run(
        'INSERT INTO model_versions (project_id, parent_id, name, spec, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        projectId,
        parentId,
        spec.name,
        json,
        hash,
        this.db.now(),
      );
      return { ...this.getVersion(id), created: true };
    });
  }

  getVersion(id: number): ModelVersion {
    const row = this.db.get<{ id: number; project_id: number; parent_id: number | null; name: string; spec: string; hash: string; created_at: number }>(
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

  listVersions(projectId: number): ModelVersion[] {
    this.get(projectId);
    return this.db.all<{ id: number }>('SELECT id FROM model_versions WHERE project_id = ? ORDER BY id', projectId).map((r) => this.getVersion(r.id));
  }
}
