// Schema upgrades: a database made at every earlier schema version, with rows in it, opens as the newest
// version with every row intact. Each version's schema is pinned in fixtures/schema-v<N>.sql, so editing a
// migration that has shipped (instead of adding one) fails here.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DB_FILE, LOCK_FILE, migrate, MIGRATIONS, SCHEMA_VERSION, Store, StoreError, type Migration } from '../../core/store/index.js';
import { canonicalJson, sha256Hex } from '../../core/store/canonical.js';
import { bytes, config, spiral, tempDir } from './support/helpers.js';

function schemaDump(db: Database.Database): string {
  const rows = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name").all() as { sql: string }[];
  return `${rows.map((r) => `${r.sql.replace(/\s+/g, ' ').trim()};`).join('\n')}\n`;
}

/** Rows that were valid at `version`, written with plain SQL as that version's code would have. */
function fillAt(db: Database.Database, version: number) {
  if (version >= 1) {
    const spec = canonicalJson(spiral.model);
    db.prepare("INSERT INTO projects (id, name, notes, created_at) VALUES (1, 'Old project', 'from v1', 1700000000000)").run();
    db.prepare('INSERT INTO model_versions (id, project_id, parent_id, name, spec, hash, created_at) VALUES (1, 1, NULL, ?, ?, ?, 1700000000001)').run(spiral.model.name, spec, sha256Hex(spec));
    db.prepare("INSERT INTO datasets (id, project_id, name, source, split, fingerprint, created_at) VALUES (1, 1, 'spiral', ?, '{}', 'fp', 1700000000002)").run(canonicalJson(spiral.dataset));
    db.prepare(
      "INSERT INTO runs (id, project_id, model_version_id, dataset_id, config, seed, backend, status, created_at, started_at) VALUES (1, 1, 1, 1, ?, 1, 'cpu', 'running', 1700000000003, 1700000000004)",
    ).run(canonicalJson(config()));
    db.prepare("INSERT INTO metric_names (id, name) VALUES (1, 'loss')").run();
    const insert = db.prepare('INSERT INTO metrics (run_id, name_id, epoch, step, value) VALUES (1, 1, ?, ?, ?)');
    for (let e = 0; e < 50; e++) insert.run(e, -1, 1 / (e + 1));
    // Before schema 6 a killed trainer failed its run; an error the trainer reported failed it too.
    const ended = db.prepare(
      "INSERT INTO runs (id, project_id, model_version_id, dataset_id, config, seed, backend, status, error, created_at, started_at, finished_at) VALUES (?, 1, 1, 1, ?, 1, 'cpu', ?, ?, 1700000000003, 1700000000004, 1700000000009)",
    );
    ended.run(2, canonicalJson(config()), 'failed', 'the trainer process was killed by SIGKILL (out of memory, or ended by the system)');
    ended.run(3, canonicalJson(config()), 'failed', 'the model outputs [3] but spiral has 2 classes');
    ended.run(4, canonicalJson(config()), 'interrupted', 'Layerwise shut down while this run was training; resuming continues from its last checkpoint');
    ended.run(5, canonicalJson(config()), 'failed', 'the trainer process exited with code 134 before finishing');
  }
  if (version >= 2) {
    const w = Buffer.from(bytes(64, 1));
    const o = Buffer.from(bytes(32, 2));
    db.prepare(
      "INSERT INTO checkpoints (id, run_id, epoch, kind, manifest, weights_size, weights_sha256, optimizer_size, optimizer_sha256, created_at) VALUES (1, 1, 49, 'last', '{}', 64, ?, 32, ?, 1700000000005)",
    ).run(sha256Hex(w), sha256Hex(o));
    db.prepare('INSERT INTO checkpoint_blobs (checkpoint_id, weights, optimizer) VALUES (1, ?, ?)').run(w, o);
  }
  if (version >= 3) {
    db.prepare("INSERT INTO comparisons (id, project_id, name, notes, created_at, updated_at) VALUES (1, 1, 'kept from v3', '', 1700000000006, 1700000000007)").run();
    db.prepare('INSERT INTO comparison_runs (comparison_id, run_id, position) VALUES (1, 1, 0)').run();
  }
  if (version >= 4) db.prepare('UPDATE runs SET queue_position = 0 WHERE id = 1').run();
  if (version >= SWEEPS_VERSION) {
    db.prepare("INSERT INTO sweeps (id, project_id, name, spec, status, concurrency, created_at) VALUES (1, 1, 'kept sweep', '{}', 'stopped', 2, 1700000000008)").run();
    db.prepare("INSERT INTO sweep_trials (id, sweep_id, number, params, state, run_id, created_at) VALUES (1, 1, 1, '{\"seed\":1}', 'pruned', 1, 1700000000009)").run();
    db.prepare('INSERT INTO sweep_rungs (trial_id, rung, epoch, value, promoted, seq) VALUES (1, 0, 1, 0.5, 0, 1)').run();
  }
}

/** The migration that read run causes out of old error texts (reliability work). */
const RELIABILITY_VERSION = 6;
/** The migration that added the sweep tables (the sixth on this branch; renumbered after the reliability work's at merge). */
const SWEEPS_VERSION = 7;

function freshSchema(): string {
  const dir = tempDir('mig-fresh');
  Store.open(dir).close();
  const db = new Database(join(dir, DB_FILE), { readonly: true });
  try {
    return schemaDump(db);
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it(`the newest schema is version ${SCHEMA_VERSION}, pinned in fixtures/schema-v${SCHEMA_VERSION}.sql`, async () => {
    expect(MIGRATIONS).toHaveLength(SCHEMA_VERSION);
    await expect(freshSchema()).toMatchFileSnapshot(`./fixtures/schema-v${SCHEMA_VERSION}.sql`);
  });

  for (let version = 0; version < SCHEMA_VERSION; version++) {
    it(`upgrades a database made at schema version ${version}, keeping its rows`, async () => {
      const dir = tempDir(`mig-v${version}`);
      const db = new Database(join(dir, DB_FILE));
      db.pragma('journal_mode = WAL');
      expect(migrate(db, MIGRATIONS.slice(0, version))).toBe(0);
      expect(db.pragma('user_version', { simple: true })).toBe(version);
      await expect(schemaDump(db)).toMatchFileSnapshot(`./fixtures/schema-v${version}.sql`);
      fillAt(db, version);
      db.close();

      const store = Store.open(dir);
      try {
        expect(store.report.migratedFrom).toBe(version);
        expect(store.report.created).toBe(false);
        expect(store.sqlite.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
        expect(schemaDump(store.sqlite)).toBe(freshSchema());
        expect(store.sqlite.pragma('foreign_key_check')).toEqual([]);
        expect(store.integrityCheck()).toEqual(['ok']);
        if (version >= 1) {
          expect(store.getProject(1)).toEqual({ id: 1, name: 'Old project', notes: 'from v1', createdAt: new Date(1700000000000).toISOString() });
          expect(store.getModelVersion(1).spec).toEqual(spiral.model);
          // The run was running when that version last closed: it comes back interrupted.
          expect(store.report.interruptedRuns).toEqual([1]);
          expect(store.metricSeries(1)[0]!.values).toHaveLength(50);
          expect(store.metricSeries(1)[0]!.values[49]).toBe(1 / 50);
        }
        if (version >= 2) {
          expect(Buffer.from(store.latestCheckpoint(1)!.weights).equals(Buffer.from(bytes(64, 1)))).toBe(true);
        }
        if (version >= 3) {
          // A comparison from before kinds existed was picked by hand.
          expect(store.getComparison(1)).toMatchObject({ name: 'kept from v3', runIds: [1], kind: 'manual', baseRunId: null, lessonId: null });
        }
        if (version >= 1 && version < RELIABILITY_VERSION) {
          // Schema 6: killed or crashed trainers interrupted their runs (resumable); other failures keep failing.
          expect([2, 3, 4, 5].map((id) => [store.getRun(id).status, store.getRun(id).statusCause])).toEqual([
            ['interrupted', 'trainer_killed'],
            ['failed', 'trainer_error'],
            ['interrupted', 'shutdown'],
            ['interrupted', 'trainer_crashed'],
          ]);
          expect(store.getRun(2).finishedAt).toBeNull();
          expect(store.getRun(1).statusCause).toBe('host_ended');
          expect(store.checkResume(2)).toMatchObject({ ok: true, checkpoint: null });
          expect(store.getRun(1).warnings).toEqual([]);
        }
        if (version >= SWEEPS_VERSION) {
          expect(store.sweeps.get(1)).toMatchObject({ name: 'kept sweep', status: 'stopped', concurrency: 2 });
          expect(store.sweeps.trials(1)).toMatchObject([{ number: 1, state: 'pruned', runId: 1, rung: 0, rungs: [{ rung: 0, epoch: 1, value: 0.5, promoted: false }] }]);
        }
        // What the newest versions added works on the upgraded file.
        if (version >= 1) {
          expect(store.saveComparison({ projectId: 1, name: 'after upgrade', runIds: [1] }).runIds).toEqual([1]);
          expect(store.saveComparison({ projectId: 1, name: 'seeds', runIds: [1], kind: 'seeds', baseRunId: 1 })).toMatchObject({ kind: 'seeds', baseRunId: 1, lessonId: null });
          expect(store.getRunReport(1)).toBeNull();
          store.saveRunReport(1, { classNames: ['a'], inputShape: [2], confusion: [[1]], misclassified: [], misclassifiedCount: 0, bestEpoch: null, weights: 'last', parameters: 3 });
          expect(store.getRunReport(1)).toMatchObject({ runId: 1, parameters: 3 });
          const sweep = store.sweeps.create({ projectId: 1, name: 'after upgrade', spec: { any: 'json' }, concurrency: 1 });
          const trial = store.sweeps.addTrial(sweep.id, { number: 1, params: { 'tricks.adam.learningRate': 0.01 }, state: 'queued', runId: 1 });
          expect(store.sweeps.marks(1).get(1)).toMatchObject({ sweepId: sweep.id, trial: 1, state: 'queued' });
          expect(store.sweeps.recordRung(trial.id, { rung: 0, epoch: 1, value: 0.7, promoted: true })).toEqual({ rung: 0, epoch: 1, value: 0.7, promoted: true });
        }
      } finally {
        store.close();
      }
    });
  }

  it('a failing migration rolls back entirely and names the step', () => {
    const dir = tempDir('mig-fail');
    Store.open(dir).close();
    const db = new Database(join(dir, DB_FILE));
    const broken: Migration = (d) => {
      d.exec('CREATE TABLE half_done (x)');
      d.exec('INSERT INTO no_such_table VALUES (1)');
    };
    let error: unknown;
    try {
      migrate(db, [...MIGRATIONS, broken]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('MigrationFailed');
    expect((error as StoreError).message).toBe(`upgrading the database from schema version ${SCHEMA_VERSION} to ${SCHEMA_VERSION + 1} failed: no such table: no_such_table`);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses a database from a newer Layerwise without moving it aside', () => {
    const dir = tempDir('mig-newer');
    Store.open(dir).close();
    const db = new Database(join(dir, DB_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    let error: unknown;
    try {
      Store.open(dir);
    } catch (e) {
      error = e;
    }
    expect((error as StoreError).code).toBe('SchemaTooNew');
    expect((error as StoreError).message).toBe(`the database has schema version ${SCHEMA_VERSION + 5}, newer than this Layerwise supports (${SCHEMA_VERSION}): update Layerwise to open it`);
    // Still there, unchanged, and the refused open let go of the folder.
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toEqual([]);
    const check = new Database(join(dir, DB_FILE), { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 5);
    check.close();
  });
});
