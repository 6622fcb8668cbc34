// Opening the SQLite file: pragmas, the exclusive OS lock, the quick check, and moving a corrupt file aside.
import { closeSync, existsSync, fsyncSync, openSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
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
    // Exclusive locking mode: the first transaction takes an OS lock on the file that is held until close
    // (and dies with the process). A second process, even one that got past the lock file, gets SQLITE_BUSY.
    // In WAL mode it also keeps the WAL index in memory: no -shm file.
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`cannot switch ${path} to WAL mode (got ${String(mode)})`);
    db.exec('BEGIN EXCLUSIVE; COMMIT');
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
