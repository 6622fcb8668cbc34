// Opening a data folder's store: for writing (the lock file and the writer lock, a damaged log copied aside,
// a damaged file moved aside and salvaged, migrations, runs left running marked interrupted, outcomes a full
// disk deferred recorded), or to read only beside the process that holds it.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { LIVE_RUN_STATUSES } from '../../shared/index.js';
import { iso, StoreDb } from './db.js';
import { StoreError, storeErrorFrom } from './errors.js';
import { acquireLock, type AcquiredLock } from './lock.js';
import { openDatabase, openReadOnlyDatabase, takeWriterLock } from './open-db.js';
import { keepDamagedWal, walDamageReport } from './recovery.js';
import { salvage } from './salvage.js';
import { migrate, SCHEMA_VERSION, schemaVersion } from './schema.js';
import type { OpenReport } from './types.js';

export const DB_FILE = 'layerwise.db';

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

/** What the Store is made of: the connection, the folder's lock (a no-op for a reader) and the open report. */
export interface Opened {
  db: StoreDb;
  lock: Pick<AcquiredLock, 'note' | 'release'>;
  report: OpenReport;
}

/** See Store.open. */
export function openWritable(dir: string, options: StoreOptions): Opened {
  const now = options.now ?? Date.now;
  mkdirSync(dir, { recursive: true });
  const lock = acquireLock(dir, { owner: options.owner ?? 'cli', waitMs: options.lockWaitMs ?? 0 });
  const binding = options.nativeBinding ? { nativeBinding: options.nativeBinding } : {};
  let writer: { release(): void } | undefined;
  try {
    const dbPath = join(dir, DB_FILE);
    writer = takeWriterLock(dir, dbPath, { ...binding, ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}) });
    // Before SQLite replays (and later overwrites) the log: a log that would drop committed work is copied aside.
    const walDamage = keepDamagedWal(dbPath, now());
    const opened = openDatabase(dbPath, { ...binding, ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}) });
    try {
      const from = migrate(opened.db);
      const salvaged = opened.movedAside ? salvage(opened.movedAside.path, opened.db, binding) : null;
      const interrupted = opened.db
        .prepare(
          `UPDATE runs SET status = 'interrupted', status_cause = 'host_ended', error = ?
           WHERE status IN (${LIVE_RUN_STATUSES.map((s) => `'${s}'`).join(', ')}) RETURNING id`,
        )
        .pluck()
        .all(
          `the process running it ended without finishing it (killed, crashed, or the machine lost power; found on ${new Date(now()).toISOString()}); resume continues from its last checkpoint`,
        ) as number[];
      // How runs ended that the previous writer's database could not take (its disk was full): their causes.
      const deferred = lock.replaced?.pending ?? [];
      const applyDeferred = opened.db.prepare(
        `UPDATE runs SET status = 'interrupted', status_cause = ?, error = ? WHERE id = ? AND status IN (${LIVE_RUN_STATUSES.map((s) => `'${s}'`).join(', ')}, 'interrupted')`,
      );
      for (const p of deferred) applyDeferred.run(p.cause, p.error, p.runId);
      interrupted.sort((a, b) => a - b);
      if (salvaged) salvaged.interruptedRuns = interrupted;
      const report: OpenReport = {
        dataDir: dir,
        dbPath,
        created: opened.created,
        migratedFrom: !opened.created && from < SCHEMA_VERSION ? from : null,
        interruptedRuns: interrupted,
        movedAside: opened.movedAside,
        staleLock: lock.replaced ? { pid: lock.replaced.pid, acquiredAt: iso(lock.replaced.acquiredAt) } : null,
        salvage: salvaged,
        walDamage: walDamage ? walDamageReport(walDamage, opened.db, interrupted, options.nativeBinding) : null,
        readOnly: false,
      };
      const held = writer;
      return { db: new StoreDb(opened.db, now, dbPath), lock: { note: lock.note, release: (o) => (held.release(), lock.release(o)) }, report };
    } catch (error) {
      opened.db.close();
      throw error;
    }
  } catch (error) {
    writer?.release();
    lock.release();
    throw error;
  }
}

/**
 * Opens the store in `dataDir` to read only, beside the process that holds it (the studio, a CLI `train`): no
 * lock is taken and nothing is written, checked or repaired; readers see the last committed state (WAL). Every
 * write throws StoreError `ReadOnly`. Throws `InvalidInput` when the folder has no database, `SchemaTooNew` /
 * `SchemaTooOld` when its schema is not this version's.
 */
export function openReadOnly(dataDir: string, options: Pick<StoreOptions, 'nativeBinding' | 'busyTimeoutMs' | 'now'>): Opened {
  const dir = resolve(dataDir);
  const dbPath = join(dir, DB_FILE);
  let db: Database.Database;
  try {
    db = openReadOnlyDatabase(dbPath, {
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CANTOPEN' && !existsSync(dbPath)) {
      throw new StoreError('InvalidInput', `there is no Layerwise database in ${dir}`, { dataDir: dir });
    }
    throw storeErrorFrom(error, dbPath);
  }
  const version = schemaVersion(db);
  if (version !== SCHEMA_VERSION) {
    db.close();
    throw new StoreError(
      version > SCHEMA_VERSION ? 'SchemaTooNew' : 'SchemaTooOld',
      version > SCHEMA_VERSION
        ? `the database has schema version ${version}, newer than this Layerwise supports (${SCHEMA_VERSION}): update Layerwise to read it`
        : `the database has schema version ${version} and this Layerwise reads ${SCHEMA_VERSION}: it is upgraded when the process holding it closes it and this command opens it again`,
      { version, supported: SCHEMA_VERSION },
    );
  }
  const report: OpenReport = {
    dataDir: dir,
    dbPath,
    created: false,
    migratedFrom: null,
    interruptedRuns: [],
    movedAside: null,
    staleLock: null,
    salvage: null,
    walDamage: null,
    readOnly: true,
  };
  return { db: new StoreDb(db, options.now ?? Date.now, dbPath), lock: { note: () => false, release: () => {} }, report };
}
