// Each project's draft (shared/drafts): the experiment the user is setting up, one row per project, replaced
// as a whole on every save and deleted with its project. The store keeps it as given (it may hold values the
// user is still fixing); the API checks its shape before it gets here.
import type { ProjectDraft } from '../../../shared/drafts/draft.js';
import { canonicalJson } from '../canonical.js';
import { iso, type StoreDb } from '../db.js';
import { invalid } from '../errors.js';
import type { ProjectRepository } from './projects.js';

/** A draft as stored: everything but its project and timestamp, which are columns. */
export type StoredDraft = Omit<ProjectDraft, 'projectId' | 'updatedAt'>;

/** A draft is one model and a few settings; a larger one is refused rather than stored. */
export const MAX_DRAFT_BYTES = 2 * 1024 * 1024;

export class DraftRepository {
  constructor(
    private readonly db: StoreDb,
    private readonly projects: ProjectRepository,
  ) {}

  /** The project's saved draft, or null when it has none yet. */
  get(projectId: number): ProjectDraft | null {
    this.projects.get(projectId);
    const row = this.db.get<{ draft: string; updated_at: number }>('SELECT draft, updated_at FROM project_drafts WHERE project_id = ?', projectId);
    if (!row) return null;
    const stored = JSON.parse(row.draft) as StoredDraft;
    return { projectId, spec: stored.spec, config: stored.config, dataset: stored.dataset, seedPolicy: stored.seedPolicy, updatedAt: iso(row.updated_at) };
  }

  /** Replaces the project's draft (one transaction); returns it as stored. */
  save(projectId: number, draft: StoredDraft): ProjectDraft {
    const json = canonicalJson({ spec: draft.spec, config: draft.config, dataset: draft.dataset, seedPolicy: draft.seedPolicy });
    if (json.length > MAX_DRAFT_BYTES) throw invalid(`the draft is ${json.length} bytes; at most ${MAX_DRAFT_BYTES}`, { size: json.length });
    return this.db.tx(() => {
      this.projects.get(projectId);
      this.db.run(
        'INSERT INTO project_drafts (project_id, draft, updated_at) VALUES (?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET draft = excluded.draft, updated_at = excluded.updated_at',
        projectId,
        json,
        this.db.now(),
      );
      return this.get(projectId)!;
    });
  }
}
