// The database schema, as an ordered list of migrations. `PRAGMA user_version` is the number of migrations
// a database has had; opening runs the missing ones, each in its own transaction together with the
// version bump, so a crash mid-upgrade leaves the previous version intact.
//
// Rules: a migration that has shipped is never edited, only followed by a new one (tests/store compares
// every version's schema with a committed snapshot, so an edit fails the tests). The schema was laid down
// in three steps (core tables, checkpoints, comparisons) so that the upgrade path is exercised from the
// first release: tests make a database at every earlier version, fill it and upgrade it.
import type Database from 'better-sqlite3';
import { StoreError } from './errors.js';

export type Migration = (db: Database.Database) => void;

export const RUN_STATUSES = ['queued', 'running', 'paused', 'completed', 'stopped', 'diverged', 'failed', 'interrupted'] as const;
export const CHECKPOINT_KINDS = ['best', 'last', 'periodic'] as const;
export const COMPARISON_KINDS = ['manual', 'ablation', 'seeds', 'lesson'] as const;
// As the sweep migration shipped them (shared/sweeps/spec.ts keeps the vocabulary; types.ts checks they match).
export const SWEEP_STATUS_VALUES = ['running', 'stopped', 'completed'] as const;
export const TRIAL_STATE_VALUES = ['queued', 'running', 'completed', 'pruned', 'stopped', 'diverged', 'failed', 'interrupted'] as const;

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

export const MIGRATIONS: readonly Migration[] = [
  // 1: projects, model versions, datasets, runs, metrics.
  (db) =>
    db.exec(`
      CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        notes TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL
      );
      CREATE TABLE model_versions (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        parent_id INTEGER REFERENCES model_versions(id) ON DELETE SET NULL,
        name TEXT NOT NULL,
        spec TEXT NOT NULL,
        hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (project_id, hash)
      );
      CREATE INDEX model_versions_parent ON model_versions(parent_id);
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        split TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (project_id, fingerprint)
      );
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        name TEXT,
        preset_id TEXT,
        config TEXT NOT NULL,
        seed INTEGER NOT NULL,
        backend TEXT NOT NULL,
        device TEXT,
        status TEXT NOT NULL CHECK (status IN (${list(RUN_STATUSES)})),
        error TEXT,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        final_metrics TEXT
      );
      CREATE INDEX runs_project ON runs(project_id);
      CREATE INDEX runs_model_version ON runs(model_version_id);
      CREATE INDEX runs_dataset ON runs(dataset_id);
      CREATE INDEX runs_status ON runs(status);
      -- Metric names, kept once: the metrics key holds a small integer instead of the text.
      CREATE TABLE metric_names (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      );
      -- Clustered by (run, name, epoch, step): one run's curve is one contiguous range of the table, so a
      -- comparison reads 20 x 10,000 points in one range scan per run. A key column cannot be NULL, so a
      -- per-epoch value (no step) has step -1 here; the Store API gives null. NaN is stored as NULL.
      CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name_id INTEGER NOT NULL REFERENCES metric_names(id),
        epoch INTEGER NOT NULL,
        step INTEGER NOT NULL DEFAULT -1,
        value REAL,
        PRIMARY KEY (run_id, name_id, epoch, step)
      ) WITHOUT ROWID;
    `),
  // 2: checkpoints. The bytes live in their own table so that listing checkpoints never reads them.
  (db) =>
    db.exec(`
      CREATE TABLE checkpoints (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN (${list(CHECKPOINT_KINDS)})),
        manifest TEXT NOT NULL,
        weights_size INTEGER NOT NULL,
        weights_sha256 TEXT NOT NULL,
        optimizer_size INTEGER NOT NULL,
        optimizer_sha256 TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX checkpoints_run ON checkpoints(run_id, epoch);
      CREATE TABLE checkpoint_blobs (
        checkpoint_id INTEGER PRIMARY KEY REFERENCES checkpoints(id) ON DELETE CASCADE,
        weights BLOB NOT NULL,
        optimizer BLOB NOT NULL
      );
    `),
  // 3: saved comparisons.
  (db) =>
    db.exec(`
      CREATE TABLE comparisons (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        notes TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX comparisons_project ON comparisons(project_id);
      CREATE TABLE comparison_runs (
        comparison_id INTEGER NOT NULL REFERENCES comparisons(id) ON DELETE CASCADE,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        PRIMARY KEY (comparison_id, run_id)
      ) WITHOUT ROWID;
      CREATE INDEX comparison_runs_run ON comparison_runs(run_id);
    `),
  // 4: the order of queued runs (the run queue's reorder survives restarts with the runs themselves).
  (db) => db.exec('ALTER TABLE runs ADD COLUMN queue_position INTEGER'),
  // 5: how a comparison was made (by hand, an ablation, a seed repeat, a lesson) and what it started from;
  // a finished run's test report (confusion, misclassified samples), kept apart from the runs table so that
  // listing runs never reads it.
  (db) =>
    db.exec(`
      ALTER TABLE comparisons ADD COLUMN kind TEXT NOT NULL DEFAULT 'manual' CHECK (kind IN (${list(COMPARISON_KINDS)}));
      ALTER TABLE comparisons ADD COLUMN base_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL;
      ALTER TABLE comparisons ADD COLUMN lesson_id TEXT;
      CREATE INDEX comparisons_base_run ON comparisons(base_run_id);
      CREATE TABLE run_reports (
        run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        report TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `),
  // 6: why a run is interrupted or failed (status_cause: a code of shared/runs/statuses.ts, checked by the runs
  // repository rather than a CHECK, so that a new cause needs no table rebuild), and what a run did that its numbers
  // alone hide (run_warnings: one JSON record per kind, e.g. a runaway loss, with the epoch it was first seen so that
  // a resume drops those it will recompute). Runs recorded before: a trainer killed or crashed used to fail its run;
  // it was an interruption from outside, so those runs become `interrupted` (resumable from their last checkpoint).
  (db) => {
    db.exec(`
      ALTER TABLE runs ADD COLUMN status_cause TEXT;
      CREATE TABLE run_warnings (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        warning TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, kind)
      ) WITHOUT ROWID;
    `);
    db.exec(`
      UPDATE runs SET status_cause = CASE
          WHEN error LIKE 'Layerwise shut down while this run was training%' THEN 'shutdown'
          ELSE 'host_ended' END
        WHERE status = 'interrupted';
      UPDATE runs SET status = 'interrupted', finished_at = NULL, status_cause = CASE
          WHEN error LIKE 'the trainer process was killed by %' THEN 'trainer_killed'
          ELSE 'trainer_crashed' END
        WHERE status = 'failed' AND (error LIKE 'the trainer process was killed by %' OR error LIKE 'the trainer process exited with code % before finishing%');
      UPDATE runs SET status_cause = CASE
          WHEN error LIKE 'could not start:%' OR error LIKE 'the trainer process could not be started%' THEN 'not_started'
          WHEN error LIKE 'could not record how it ended%' THEN 'record_failed'
          ELSE 'trainer_error' END
        WHERE status = 'failed';
    `);
  },
  // 7: hyperparameter sweeps, their trials (each linked to the run that trains it; a deleted run leaves
  // the trial and its numbers) and ASHA's decisions at each rung, kept so that a resumed sweep rebuilds its
  // state from these rows alone.
  (db) =>
    db.exec(`
      CREATE TABLE sweeps (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        spec TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN (${list(SWEEP_STATUS_VALUES)})),
        stop_reason TEXT,
        concurrency INTEGER NOT NULL CHECK (concurrency >= 1),
        elapsed_ms INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE INDEX sweeps_project ON sweeps(project_id);
      CREATE TABLE sweep_trials (
        id INTEGER PRIMARY KEY,
        sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        number INTEGER NOT NULL CHECK (number >= 1),
        params TEXT NOT NULL,
        unused TEXT NOT NULL DEFAULT '[]',
        state TEXT NOT NULL CHECK (state IN (${list(TRIAL_STATE_VALUES)})),
        run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        attempts INTEGER NOT NULL DEFAULT 1,
        epochs INTEGER NOT NULL DEFAULT 0,
        val_loss REAL,
        val_accuracy REAL,
        objective REAL,
        error TEXT,
        created_at INTEGER NOT NULL,
        finished_at INTEGER,
        UNIQUE (sweep_id, number)
      );
      CREATE INDEX sweep_trials_run ON sweep_trials(run_id);
      CREATE TABLE sweep_rungs (
        trial_id INTEGER NOT NULL REFERENCES sweep_trials(id) ON DELETE CASCADE,
        rung INTEGER NOT NULL CHECK (rung >= 0),
        epoch INTEGER NOT NULL,
        value REAL,
        promoted INTEGER NOT NULL CHECK (promoted IN (0, 1)),
        seq INTEGER NOT NULL,
        PRIMARY KEY (trial_id, rung)
      ) WITHOUT ROWID;
    `),
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings a database up to the newest schema. Each migration runs with foreign-key enforcement off (as
 * SQLite's table-rebuild procedure needs) and must leave `foreign_key_check` clean before it commits.
 * Returns the version the database had.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const from = schemaVersion(db);
  if (from > migrations.length) {
    throw new StoreError(
      'SchemaTooNew',
      `the database has schema version ${from}, newer than this Layerwise supports (${migrations.length}): update Layerwise to open it`,
      { version: from, supported: migrations.length },
    );
  }
  if (from === migrations.length) return from;
  db.pragma('foreign_keys = OFF');
  try {
    for (let version = from; version < migrations.length; version++) {
      const step = db.transaction(() => {
        migrations[version]!(db);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) throw new Error(`${broken.length} rows break foreign keys: ${JSON.stringify(broken.slice(0, 3))}`);
        db.pragma(`user_version = ${version + 1}`);
      });
      try {
        step.immediate();
      } catch (error) {
        throw new StoreError(
          'MigrationFailed',
          `upgrading the database from schema version ${version} to ${version + 1} failed: ${(error as Error).message}`,
          { from: version, to: version + 1 },
        );
      }
    }
  } finally {
    db.pragma('foreign_keys = ON');
  }
  return from;
}
