// Opening the SQLite file: pragmas, the exclusive OS lock, the quick check, and moving a corrupt file aside.
import { closeSync, existsSync, fsyncSync, openSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors.js';

export interface OpenDbOptions {
  /** better-sqlite3's `nativeBinding`: a `better_sqlite3.node` built for this runtime (Electron's ABI). */
  nativeBinding?: string;
  busyTimeoutMs?: number;
}

export interface OpenedDb {
  db: Database.Database;
  created: boolean;
  movedAside: { path: string; reason: string } | null;
}

class CorruptDatabase extends Error {}

export function openDatabase(path: string, options: OpenDbOptions = {}): OpenedDb {
  const existed = existsSync(path);
  try {
    return { db: connect(path, options), created: !existed, movedAside: null };
  } catch (error) {
    const reason = corruptionReason(error);
    if (!existed || reason === null) throw error;
    const aside = moveAside(path);
    return { db: connect(path, options), created: true, movedAside: { path: aside, reason } };
  }
}

function connect(path: string, options: OpenDbOptions): Database.Database {
  const db = new Database(path, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 2000}`);
    // Normal (not exclusive) locking in WAL mode: readers in other processes (`layerwise runs` beside the studio)
    // read a consistent snapshot while this connection writes. A second writer is kept out by the folder's lock
    // file and, behind it, the writer lock (takeWriterLock).
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`cannot switch ${path} to WAL mode (got ${String(mode)})`);
    // FULL: a commit is on disk when it returns (metrics batches relax this, see Store.appendMetrics).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('journal_size_limit = 67108864');
    // 32 MiB of page cache (default 2 MiB): a comparison's curves stay in memory between loads.
    db.pragma('cache_size = -32768');
    const check = db.pragma('quick_check', { simple: false }) as { quick_check: string }[];
    const problems = check.map((row) => row.quick_check).filter((line) => line !== 'ok');
    if (problems.length) throw new CorruptDatabase(`quick_check: ${problems.slice(0, 3).join('; ')}`);
    return db;
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new StoreError('DataDirLocked', `the database ${path} is locked by another process`, { path });
    }
    throw error;
  }
}

/** The file whose OS lock marks the one writer of a data folder (see takeWriterLock). */
export const WRITER_LOCK_FILE = 'layerwise.writer';

/**
 * Takes the data folder's writer lock: an empty SQLite file held in exclusive locking mode, an OS lock that is
 * held until close and dies with the process. It backs up the lock file (a lock file judged wrongly, or deleted,
 * cannot let two writers in) without locking the database itself, which readers in other processes must reach.
 */
export function takeWriterLock(dir: string, dbPath: string, options: OpenDbOptions = {}): { release(): void } {
  const guard = new Database(join(dir, WRITER_LOCK_FILE), options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    guard.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 2000}`);
    guard.pragma('locking_mode = EXCLUSIVE');
    guard.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    guard.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new StoreError('DataDirLocked', `the database ${dbPath} is locked by another process`, { path: dbPath });
    }
    throw error;
  }
  return { release: () => guard.close() };
}

/**
 * Opens the database to read only, beside the process that holds the data folder: no lock taken, nothing
 * written (query_only), no migration, no repair. WAL readers see the last committed state.
 */
export function openReadOnlyDatabase(path: string, options: OpenDbOptions = {}): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) });
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 2000}`);
    db.pragma('query_only = ON');
    // Reads the schema now, so that a holder's exclusive OS lock (an older Layerwise) is met here, not later.
    db.pragma('user_version', { simple: true });
    return db;
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new StoreError('DataDirLocked', `the database ${path} is locked by another process and cannot be read beside it`, { path });
    }
    throw error;
  }
}

/** Why an error means the file is damaged, or null when it means something else (busy, no permission). */
function corruptionReason(error: unknown): string | null {
  if (error instanceof CorruptDatabase) return error.message;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))) {
    return `${code}: ${(error as Error).message}`;
  }
  return null;
}

/** Renames the database (and its WAL and shared-memory files) to `<name>.corrupt-<timestamp>`. */
function moveAside(path: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let target = `${path}.corrupt-${stamp}`;
  for (let n = 2; existsSync(target); n++) target = `${path}.corrupt-${stamp}-${n}`;
  renameSync(path, target);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  syncDir(dirname(path));
  return target;
}

/** Makes renames in a folder durable where the OS allows it (not on Windows). */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot fsync a folder; NTFS journals the rename itself.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
