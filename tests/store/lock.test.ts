// Two processes, one data folder: the holder's lock file names it; others wait or are refused; a dead
// holder's lock is taken over; the writer lock (an OS lock) stops a second writer even without the file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../core/cli/main.js';
import { LOCK_FILE, Store, StoreError } from '../../core/store/index.js';
import { spawnChild, tempDir } from './support/helpers.js';

function refusal(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StoreError) return e;
    throw e;
  }
  throw new Error('expected the open to be refused');
}

describe('data folder lock', () => {
  it('refuses a second process naming the holder, then takes over the lock of a killed holder', async () => {
    const dir = tempDir('lock');
    const holder = spawnChild('lock-holder', [dir, 'hold']);
    await holder.waitFor((l) => l.startsWith('ready'));
    const pid = holder.process.pid!;
    const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(lock).toMatchObject({ pid, owner: 'app', hostname: hostname() });

    const started = Date.now();
    const e = refusal(() => Store.open(dir, { lockWaitMs: 300 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(e.code).toBe('DataDirLocked');
    expect(e.message).toBe(`the data folder ${dir} is in use by the Layerwise app, pid ${pid}, since ${new Date(lock.acquiredAt).toISOString()}: close it, or wait and try again`);
    expect(e.details).toMatchObject({ pid, owner: 'app' });

    // A CLI command that writes says the same and exits 1; one that only reads reads beside the holder.
    const err: string[] = [];
    const code = await runCli(['resume', '1', '--data', dir, '--wait', '0'], { out: () => {}, err: (t) => err.push(t), isTTY: false });
    expect(code).toBe(1);
    expect(err.join('\n')).toBe(`layerwise resume: DataDirLocked: ${e.message}`);
    const out: string[] = [];
    expect(await runCli(['runs', '--data', dir, '--wait', '0'], { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false })).toBe(0);
    expect(out.join('\n')).toContain('No runs recorded yet');

    holder.process.kill('SIGKILL');
    await holder.exited;
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const store = Store.open(dir);
    expect(store.report.staleLock).toEqual({ pid, acquiredAt: new Date(lock.acquiredAt).toISOString() });
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    store.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('waits for a holder that lets go', async () => {
    const dir = tempDir('lock-wait');
    const holder = spawnChild('lock-holder', [dir, 'hold-ms', '700']);
    await holder.waitFor((l) => l.startsWith('ready'));
    const started = Date.now();
    const store = Store.open(dir, { lockWaitMs: 15_000 });
    const waited = Date.now() - started;
    store.close();
    expect(waited).toBeGreaterThan(200);
    expect(waited).toBeLessThan(10_000);
    expect((await holder.exited).code).toBe(0);
    expect(holder.lines).toContain('released');
  });

  it('the writer lock keeps a second writer out even when the lock file is gone', async () => {
    const dir = tempDir('lock-sqlite');
    const holder = spawnChild('lock-holder', [dir, 'unlock-file']);
    await holder.waitFor((l) => l.startsWith('ready'));
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const e = refusal(() => Store.open(dir, { busyTimeoutMs: 100 }));
    expect(e.code).toBe('DataDirLocked');
    expect(e.message).toBe(`the database ${join(dir, 'layerwise.db')} is locked by another process`);
    // The refused open released the lock file it had made.
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    holder.process.kill('SIGKILL');
    await holder.exited;
    Store.open(dir).close();
  });

  it.runIf(process.platform === 'linux')('treats a lock whose pid now belongs to a process started at another time as stale', () => {
    const dir = tempDir('lock-reused');
    // This process is alive, but did not start in 2001: the pid was reused.
    const stale = { pid: process.pid, processStartedAt: Date.UTC(2001, 0, 1), acquiredAt: Date.UTC(2001, 0, 1), hostname: hostname(), owner: 'app', token: 'old' };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(stale));
    const store = Store.open(dir);
    expect(store.report.staleLock).toEqual({ pid: process.pid, acquiredAt: '2001-01-01T00:00:00.000Z' });
    // A second Store in the same process is refused too: the live lock is this process's own.
    expect(refusal(() => Store.open(dir)).message).toMatch(new RegExp(`pid ${process.pid}, this same process, since`));
    store.close();
  });

  it('never takes over a lock held from another machine', () => {
    const dir = tempDir('lock-host');
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, processStartedAt: 0, acquiredAt: Date.UTC(2024, 4, 5), hostname: 'studio-mac', owner: 'app', token: 't' }));
    expect(refusal(() => Store.open(dir)).message).toBe(`the data folder ${dir} is in use by the Layerwise app, pid 1 on studio-mac, since 2024-05-05T00:00:00.000Z: close it, or wait and try again`);
  });
});
