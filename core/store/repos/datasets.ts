// The data a project's runs use: a dataset reference and its split, deduplicated by fingerprint per project.
import { DatasetRefSchema, datasetRefName, type DatasetRef } from '../../../shared/index.js';
import { canonicalJson, sha256Hex } from '../canonical.js';
import { checkId, checkName, iso, type StoreDb } from '../db.js';
import { invalid, notFound } from '../errors.js';
import type { Dataset, DatasetSplit } from '../types.js';
import type { ProjectRepository } from './projects.js';

export class DatasetRepository {
  constructor(
    private readonly db: StoreDb,
    private readonly projects: ProjectRepository,
  ) {}

  /** Records the data a run uses; the same fingerprint in the same project returns the existing record. */
  save(
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
    const name = input.name ?? datasetRefName(parsed.data);
    return this.db.tx(() => {
      this.projects.get(projectId);
      const existing = this.db.get<{ id: number }>('SELECT id FROM datasets WHERE project_id = ? AND fingerprint = ?', projectId, fingerprint);
      if (existing) return { ...this.get(existing.id), created: false };
      const id = this.db.run(
        'INSERT INTO datasets (project_id, name, source, split, fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        projectId,
        checkName(name, 'dataset name'),
        source,
        split,
        fingerprint,
        this.db.now(),
      );
      return { ...this.get(id), created: true };
    });
  }

  get(id: number): Dataset {
    const row = this.db.get<{ id: number; project_id: number; name: string; source: string; split: string; fingerprint: string; created_at: number }>(
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

  list(projectId: number): Dataset[] {
    this.projects.get(projectId);
    return this.db.all<{ id: number }>('SELECT id FROM datasets WHERE project_id = ? ORDER BY id', projectId).map((r) => this.get(r.id));
  }
}
