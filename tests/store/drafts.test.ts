// Drafts and settings in the store (core/store/repos/drafts.ts, settings.ts): one draft row per project,
// replaced whole, refused when absurdly large (nothing half-written), gone with its project; settings read back
// leniently (a value a newer version wrote falls back to the default) and refused when unknown on write.
import { describe, expect, it } from 'vitest';
import { MAX_DRAFT_BYTES } from '../../core/store/repos/drafts.js';
import { Store, StoreError } from '../../core/store/index.js';
import { seedProject, tempDir } from './support/helpers.js';

const draft = (epochs: number | null) => ({
  spec: null,
  config: { epochs, batchSize: 64, tricks: { adam: { learningRate: 0.001 } } },
  dataset: null,
  seedPolicy: { kind: 'fixed' as const, seed: 1 },
});

describe('drafts in the store', () => {
  it('keeps one per project, replaced whole, refuses an oversized one without touching the kept one', () => {
    const store = Store.open(tempDir('drafts'), { now: () => 1_700_000_000_000 });
    try {
      const { project } = seedProject(store);
      expect(store.drafts.get(project.id)).toBeNull();
      expect(store.drafts.save(project.id, draft(2))).toMatchObject({ projectId: project.id, config: { epochs: 2 }, updatedAt: new Date(1_700_000_000_000).toISOString() });
      store.drafts.save(project.id, draft(null));
      expect(store.drafts.get(project.id)!.config.epochs).toBeNull();
      const huge = { ...draft(3), config: { ...draft(3).config, tricks: { adam: { note: 'x'.repeat(MAX_DRAFT_BYTES) } } } };
      expect(() => store.drafts.save(project.id, huge as never)).toThrow(StoreError);
      expect(store.drafts.get(project.id)!.config.epochs).toBeNull();
      expect(() => store.drafts.save(9999, draft(1))).toThrow(/project 9999 does not exist/);
      store.deleteProject(project.id);
      expect(store.sqlite.prepare('SELECT count(*) FROM project_drafts').pluck().get()).toBe(0);
    } finally {
      store.close();
    }
  });
});

describe('settings in the store', () => {
  it('default to the system theme, keep a choice across a reopen, and read an unknown stored value as the default', () => {
    const dir = tempDir('settings');
    let store = Store.open(dir);
    expect(store.settings.get()).toEqual({ theme: 'system' });
    store.settings.update({ theme: 'light' });
    expect(() => store.settings.update({ theme: 'sepia' } as never)).toThrow(/theme must be one of system, light, dark/);
    store.close();
    store = Store.open(dir);
    try {
      expect(store.settings.get()).toEqual({ theme: 'light' });
      store.sqlite.prepare("UPDATE settings SET value = '\"neon\"' WHERE key = 'theme'").run();
      expect(store.settings.get()).toEqual({ theme: 'system' });
    } finally {
      store.close();
    }
  });
});
