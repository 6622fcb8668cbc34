// Crash safety with real processes: a writer SIGKILLed in the middle of a transaction, a run left
// `running` by a dead process, and a damaged database file.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DB_FILE, Store } from '../../core/store/index.js';
import { BATCH, CHECKPOINT_EVERY, bytes, seedProject, spawnChild, tempDir } from './support/helpers.js';

/** Every committed batch k holds BATCH points with steps k*BATCH.. and values k*1000+i+0.5. */
function expectBatches(store: Store, runId: number, batches: number) {
  const series = store.metricSeries(runId);
  const points = series.flatMap((s) => s.steps.map((step, i) => ({ step: step!, epoch: s.epochs[i]!, value: s.values[i]! })));
  expect(points.length).toBe(batches * BATCH);
  for (const p of points) {
    const k = Math.floor(p.step / BATCH);
    const i = p.step % BATCH;
    expect(p.epoch).toBe(k);
    expect(p.value).toBe(k * 1000 + i + 0.5);
  }
}

describe('crash safety', () => {
  it('a writer killed mid-transaction loses only that transaction; its run comes back interrupted and resumes', async () => {
    const dir = tempDir('crash');
    const hangAfter = 7;
    const child = spawnChild('metrics-writer', [dir, 'hang', String(hangAfter)]);
    const runId = Number((await child.waitFor((l) => l.startsWith('run '))).slice(4));
    const walBefore = Number((await child.waitFor((l) => l.startsWith('wal before '))).split(' ')[2]);
    const walDuring = Number((await child.waitFor((l) => l.startsWith('mid-transaction'))).split(' ')[2]);
    // The open transaction has already spilled uncommitted pages into the WAL (it is far larger than the
    // writer's 16-page cache): the kill leaves them there, and recovery must ignore them.
    expect(walDuring - walBefore).toBeGreaterThan(200 * 1024);
    child.process.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'layerwise.lock'))).toBe(true);

    const store = Store.open(dir);
    try {
      expect(store.integrityCheck()).toEqual(['ok']);
      expect(store.report.interruptedRuns).toEqual([runId]);
      expect(store.report.staleLock?.pid).toBe(child.process.pid);
      // Batches 0..7 committed, the 20,000 points of the killed transaction are gone.
      expectBatches(store, runId, hangAfter + 1);
      const run = store.getRun(runId);
      expect(run.status).toBe('interrupted');
      expect(run.error).toMatch(/^the process running it ended without finishing it \(killed, crashed, or the machine lost power; found on .+\); resume continues from its last checkpoint$/);
      expect(run.statusCause).toBe('host_ended');
      // Checkpoints were saved after batches 2 and 5; `last` replaced its predecessor.
      expect(store.listCheckpoints(runId).map((c) => [c.epoch, c.kind])).toEqual([[5, 'last']]);

      const resume = store.beginResume(runId);
      expect(resume.checkpoint!.checkpoint.epoch).toBe(5);
      expect(Buffer.from(resume.checkpoint!.weights).equals(Buffer.from(bytes(4096, 6)))).toBe(true);
      expect(resume.discardedMetrics).toBe((hangAfter - 5) * BATCH);
      expectBatches(store, runId, 6);
      for (let k = 6; k < 10; k++) {
        store.appendMetrics(runId, Array.from({ length: BATCH }, (_, i) => ({ name: i % 2 ? 'loss' : 'accuracy', epoch: k, step: k * BATCH + i, value: k * 1000 + i + 0.5 })));
      }
      expect(store.finishRun(runId, { status: 'completed', finalMetrics: { loss: 0.1 } }).status).toBe('completed');
      expectBatches(store, runId, 10);
    } finally {
      store.close();
    }
  });

  it('a writer killed at an arbitrary moment of its loop keeps every batch it reported committed, and no partial batch', async () => {
    const dir = tempDir('crash-loop');
    const child = spawnChild('metrics-writer', [dir, 'loop']);
    const runId = Number((await child.waitFor((l) => l.startsWith('run '))).slice(4));
    await child.waitFor((l) => l === 'committed 12');
    child.process.kill('SIGKILL');
    await child.exited;
    const reported = child.lines.filter((l) => l.startsWith('committed ')).length;
    const store = Store.open(dir);
    try {
      expect(store.integrityCheck()).toEqual(['ok']);
      const count = store.metricCount(runId);
      expect(count % BATCH).toBe(0);
      // Every reported batch is there; at most the one committed after the last report is extra.
      expect(count / BATCH).toBeGreaterThanOrEqual(reported);
      expect(count / BATCH).toBeLessThanOrEqual(reported + 1);
      expectBatches(store, runId, count / BATCH);
      const checkpoint = store.latestCheckpoint(runId)!.checkpoint;
      expect(checkpoint.epoch % CHECKPOINT_EVERY).toBe(CHECKPOINT_EVERY - 1);
      expect(store.getRun(runId).status).toBe('interrupted');
    } finally {
      store.close();
    }
  });

  it('moves a database that is not a database aside, keeps its bytes, starts a new one and says so', () => {
    const dir = tempDir('corrupt');
    const store = Store.open(dir);
    seedProject(store);
    store.close();
    const garbage = Buffer.concat([Buffer.from('this is not an SQLite file at all'), Buffer.from(bytes(8192, 3))]);
    writeFileSync(join(dir, DB_FILE), garbage);

    const reopened = Store.open(dir);
    try {
      const moved = reopened.report.movedAside!;
      expect(moved.path).toMatch(new RegExp(`${DB_FILE.replace('.', '\\.')}\\.corrupt-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z$`));
      expect(moved.reason).toBe('SQLITE_NOTADB: file is not a database');
      expect(readFileSync(moved.path).equals(garbage)).toBe(true);
      expect(reopened.report.created).toBe(true);
      expect(reopened.listProjects()).toEqual([]);
      expect(reopened.integrityCheck()).toEqual(['ok']);
    } finally {
      reopened.close();
    }
  });

  it('moves a database with damaged pages aside (found by quick_check)', () => {
    const dir = tempDir('corrupt-pages');
    const store = Store.open(dir);
    const { newRun } = seedProject(store);
    const run = newRun();
    store.appendMetrics(run.id, Array.from({ length: 5000 }, (_, i) => ({ name: 'loss', epoch: i, value: i })));
    store.close();
    // Overwrite the b-tree pages after the schema page with garbage, keeping the 100-byte header valid.
    const file = join(dir, DB_FILE);
    const data = readFileSync(file);
    const pageSize = data.readUInt16BE(16);
    data.set(bytes(data.length - 4 * pageSize, 9), 4 * pageSize);
    writeFileSync(file, data);

    const reopened = Store.open(dir);
    try {
      const moved = reopened.report.movedAside!;
      expect(moved.reason).toMatch(/^(quick_check: |SQLITE_CORRUPT)/);
      expect(readFileSync(moved.path).equals(data)).toBe(true);
      expect(readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
      expect(reopened.listRuns()).toEqual([]);
    } finally {
      reopened.close();
    }
  });
});
