// One process at a time owns a data folder: it holds `layerwise.lock`, a small JSON file with its pid and
// start time, created with O_EXCL so that two processes can never both create it. A lock whose process is
// gone (or whose pid now belongs to a process that started at another time) is stale and is taken over.
// The database connection additionally runs in SQLite's exclusive locking mode (see open-db.ts), an OS
// lock that dies with its process, so even a misjudged lock file cannot let two writers in.
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StoreError } from './errors.js';

export const LOCK_FILE = 'layerwise.lock';

export interface LockInfo {
  pid: number;
  /** When the holding process started (ms since 1970), to tell a live holder from a reused pid. */
  processStartedAt: number;
  acquiredAt: number;
  hostname: string;
  /** Who holds it: `app`, `cli`, … */
  owner: string;
  token: string;
  /**
   * How runs ended when the database could not take it (the disk was full): the next process to take the lock
   * over records them (Store.open), so the cause is not lost with the writer.
   */
  pending?: PendingOutcome[];
}

/** A run's end that the database refused to record (it was full), kept in the lock file until it can be. */
export interface PendingOutcome {
  runId: number;
  cause: string;
  error: string;
}

export interface LockOptions {
  owner?: string;
  /** How long to wait for a live holder to let go before refusing; 0 refuses at once. */
  waitMs?: number;
  pollMs?: number;
}

export interface AcquiredLock {
  path: string;
  info: LockInfo;
  /** The stale lock this process took over, if any. */
  replaced: LockInfo | null;
  /**
   * Keeps these outcomes in the lock file (rewritten in place: a file of one block grows within it, so a full disk
   * takes it). False when even that failed.
   */
  note(pending: readonly PendingOutcome[]): boolean;
  /** Removes the lock file; with `keep`, leaves it (holding its pending outcomes) for the next process to take over. */
  release(options?: { keep?: boolean }): void;
}

export function acquireLock(dataDir: string, options: LockOptions = {}): AcquiredLock {
  const path = join(dataDir, LOCK_FILE);
  const info: LockInfo = {
    pid: process.pid,
    processStartedAt: processStartTime(process.pid) ?? Math.round(Date.now() - process.uptime() * 1000),
    acquiredAt: Date.now(),
    hostname: hostname(),
    owner: options.owner ?? 'cli',
    token: randomBytes(12).toString('hex'),
  };
  const text = `${JSON.stringify(info)}\n`;
  const deadline = Date.now() + (options.waitMs ?? 0);
  let replaced: LockInfo | null = null;
  for (;;) {
    if (tryCreate(path, text)) {
      let released = false;
      let keep = false;
      const release = (options: { keep?: boolean } = {}) => {
        if (released) return;
        released = true;
        process.off('exit', onExit);
        // Remove it only if it is still ours, and holds nothing the next process must record.
        const current = readLock(path);
        if (!(options.keep || keep) && current !== null && current !== 'unreadable' && current.token === info.token) unlinkSync(path);
      };
      const onExit = () => release();
      process.on('exit', onExit);
      const note = (pending: readonly PendingOutcome[]): boolean => {
        keep = pending.length > 0;
        return rewriteInPlace(path, `${JSON.stringify({ ...info, pending })}\n`);
      };
      return { path, info, replaced, release, note };
    }
    const holder = readLock(path);
    const stale = holder === 'unreadable' ? unreadableIsStale(path) : holder === null ? false : isStale(holder);
    if (stale) {
      const taken = takeOver(path, holder);
      if (taken && holder !== 'unreadable' && holder !== null) replaced = holder;
      continue;
    }
    if (holder === null) continue; // vanished between the two calls: try again
    if (Date.now() >= deadline) throw lockedError(dataDir, holder === 'unreadable' ? null : holder);
    sleepSync(Math.min(options.pollMs ?? 100, Math.max(1, deadline - Date.now())));
  }
}

/** Overwrites the file from its start without truncating it first (spaces pad a shorter text): no new block is needed. */
function rewriteInPlace(path: string, text: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r+');
    const size = fstatSync(fd).size;
    const bytes = Buffer.from(text.length < size ? text.padEnd(size, ' ') : text);
    writeSync(fd, bytes, 0, bytes.length, 0);
    fsyncSync(fd);
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function tryCreate(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The lock's content; null when there is no lock file; 'unreadable' when it is not (yet) valid JSON. */
export function readLock(path: string): LockInfo | null | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    return typeof info.pid === 'number' && typeof info.token === 'string' ? info : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

function isStale(holder: LockInfo): boolean {
  // A holder on another machine (a data folder on a network share) cannot be checked: treat it as live.
  if (holder.hostname !== hostname()) return false;
  if (!processAlive(holder.pid)) return true;
  const started = processStartTime(holder.pid);
  // The pid is alive but belongs to a process started at another time: the holder died and its pid was reused.
  return started !== null && Math.abs(started - holder.processStartedAt) > 1000;
}

/** A lock file that is not JSON was being written by a process that died at once, or is being written now. */
function unreadableIsStale(path: string): boolean {
  // tryCreate writes the content right after creating the file: give a live writer 2 s.
  try {
    return readLock(path) === 'unreadable' && Date.now() - statSync(path).mtimeMs > 2000;
  } catch {
    return false;
  }
}

/**
 * Moves the stale lock aside under a unique name and checks that what was moved is the lock judged stale;
 * if another process replaced it in between, puts that one back.
 */
function takeOver(path: string, judged: LockInfo | 'unreadable' | null): boolean {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = readLock(aside);
  const same = judged === 'unreadable' ? moved === 'unreadable' : moved !== null && moved !== 'unreadable' && judged !== null && moved.token === judged.token;
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // A third process created a lock meanwhile; it wins.
    }
  }
  unlinkSync(aside);
  return same;
}

function lockedError(dataDir: string, holder: LockInfo | null): StoreError {
  if (!holder) {
    return new StoreError('DataDirLocked', `the data folder ${dataDir} is locked by another Layerwise process (the lock file is being written); try again`, { dataDir });
  }
  const who = holder.owner === 'app' ? 'the Layerwise app' : `another Layerwise process (${holder.owner})`;
  const where = holder.hostname !== hostname() ? ` on ${holder.hostname}` : '';
  const self = holder.pid === process.pid && holder.hostname === hostname() ? ', this same process' : '';
  return new StoreError(
    'DataDirLocked',
    `the data folder ${dataDir} is in use by ${who}, pid ${holder.pid}${where}${self}, since ${new Date(holder.acquiredAt).toISOString()}: close it, or wait and try again`,
    { dataDir, pid: holder.pid, owner: holder.owner, hostname: holder.hostname, acquiredAt: holder.acquiredAt },
  );
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process's start time in ms since 1970 where the OS tells it cheaply (Linux /proc); null elsewhere. */
export function processStartTime(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime, in clock ticks since boot) comes after the parenthesised command name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (!btime || !Number.isFinite(ticks)) return null;
    // USER_HZ is 100 on every Linux that Node supports.
    return Number(btime[1]) * 1000 + ticks * 10;
  } catch {
    return null;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
