// Drill: damaged files, damaged for real (bytes overwritten in the database file or its write-ahead log).
// - A damaged b-tree page: the file is moved aside and every row SQLite can still read is salvaged into the new
//   one (projects, versions, datasets, runs, metrics, checkpoints whose sha256 verifies, comparisons, reports,
//   warnings); the report counts what was recovered and names what was not; the CLI prints it.
// - A damaged frame in the middle of the log: SQLite would silently drop the commits after it. The log is copied
//   aside first, the loss is reported run by run, and the run it set back resumes to the uninterrupted result.
// - A damaged checkpoint: resuming refuses, says why and names the checkpoint to fork from; `layerwise fork`
//   continues from it to the uninterrupted result.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../core/cli/main.js';
import { DB_FILE, Store } from '../../core/store/index.js';
import { scanWal } from '../../core/store/wal.js';
import { ensureBuilt, repoRoot } from '../support/build.js';
import { openTestServices, tempDir, type TestServices } from '../host/support.js';
import { bytes, seedProject } from '../store/support/helpers.js';
import { expectCheckpointsVerify, expectSameAsUninterrupted, job, waitStatus } from './support.js';

beforeAll(() => ensureBuilt());

/** Overwrites page `pageno` (from 1) of the database file with garbage. */
function damagePage(file: string, pageno: number): void {
  const data = readFileSync(file);
  const pageSize = data.readUInt16BE(16);
  data.set(bytes(pageSize, pageno), (pageno - 1) * pageSize);
  writeFileSync(file, data);
}

/** Pages of a table or index, with their cell counts (SQLite's dbstat). */
function pagesOf(file: string, name: string): { pageno: number; pagetype: string; ncell: number }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT pageno, pagetype, ncell FROM dbstat WHERE name = ? ORDER BY pageno').all(name) as { pageno: number; pagetype: string; ncell: number }[];
  } finally {
    db.close();
  }
}

describe('a database with a damaged page', () => {
  it('is moved aside and everything readable is salvaged into the new one, with a report of what was not', async () => {
    const dir = tempDir('salvage');
    const store = Store.open(dir);
    const { project, newRun } = seedProject(store);
    const runs = [newRun({ status: 'running' }), newRun({ status: 'running' }), newRun()];
    const points = 3000;
    for (const run of runs) store.appendMetrics(run.id, Array.from({ length: points }, (_, i) => ({ name: i % 2 ? 'loss' : 'accuracy', epoch: Math.floor(i / 2), value: run.id * 1e4 + i })));
    const checkpoints = runs.map((run, i) => store.saveCheckpoint(run.id, { epoch: 3, kind: 'last', weights: bytes(20_000, i + 1), optimizer: bytes(2_000, i + 9), manifest: { format: 2, epoch: 3 } }));
    store.finishRun(runs[1]!.id, { status: 'completed', finalMetrics: { loss: 0.5 } });
    store.saveRunReport(runs[1]!.id, { classNames: ['a', 'b', 'c'], inputShape: [2], confusion: [[1]], misclassified: [], misclassifiedCount: 0, bestEpoch: 3, weights: 'last', parameters: 8 });
    store.saveRunWarning(runs[1]!.id, { kind: 'runaway_loss', epoch: 2, value: 900, threshold: 110, peak: 900, peakEpoch: 2, message: 'm', hint: 'h', lessonId: 'clipping' });
    const comparison = store.saveComparison({ projectId: project.id, name: 'kept', runIds: runs.map((r) => r.id), notes: 'n' });
    const before = { projects: store.listProjects(), runs: store.listRuns(), comparison: store.getComparison(comparison.id) };
    store.close();

    // One leaf page of the metrics table, in the middle of run 1's points.
    const file = join(dir, DB_FILE);
    const leaf = pagesOf(file, 'metrics').filter((p) => p.pagetype === 'leaf')[3]!;
    damagePage(file, leaf.pageno);

    const reopened = Store.open(dir);
    try {
      const { movedAside, salvage } = reopened.report;
      expect(movedAside?.reason).toMatch(/^(quick_check: |SQLITE_CORRUPT)/);
      expect(salvage).toMatchObject({ from: movedAside!.path, interruptedRuns: [runs[0]!.id] });
      expect(salvage!.recovered).toMatchObject({ projects: 1, model_versions: 1, datasets: 1, runs: 3, metric_names: 2, checkpoints: 3, comparisons: 1, comparison_runs: 3, run_reports: 1, run_warnings: 1 });
      // Exactly the points of the damaged page are missing, and the report says which.
      expect(salvage!.recovered.metrics).toBe(3 * points - leaf.ncell);
      expect(salvage!.lost).toHaveLength(1);
      const [, from, to] = /^metrics: run 1, (?:accuracy|loss): points of epochs (\d+)–(\d+) could not be read$/.exec(salvage!.lost[0]!)!;
      expect(Number(to) - Number(from) + 1).toBe(leaf.ncell);
      // What was recovered is what was stored.
      expect(reopened.listProjects()).toEqual(before.projects);
      expect(reopened.getComparison(comparison.id)).toEqual(before.comparison);
      expect(reopened.listRuns().map((r) => ({ ...r, status: r.status === 'interrupted' ? 'running' : r.status, statusCause: null, error: null }))).toEqual(
        before.runs.map((r) => ({ ...r, statusCause: null, error: null })),
      );
      expect(reopened.getRun(runs[0]!.id)).toMatchObject({ status: 'interrupted', statusCause: 'host_ended' });
      for (const run of runs) {
        for (const s of reopened.metricSeries(run.id)) s.values.forEach((v, i) => expect(v).toBe(run.id * 1e4 + s.epochs[i]! * 2 + (s.name === 'loss' ? 1 : 0)));
      }
      expect(reopened.metricCount(runs[1]!.id)).toBe(points);
      checkpoints.forEach((c) => expect(reopened.loadCheckpoint(c.id).checkpoint).toEqual(c));
      expect(reopened.getRunReport(runs[1]!.id)?.parameters).toBe(8);
      expect(reopened.integrityCheck()).toEqual(['ok']);
      // The damaged file is kept as it was.
      expect(existsSync(movedAside!.path)).toBe(true);
    } finally {
      reopened.close();
    }
  });

  it('keeps only checkpoints whose bytes still match their sha256, and the CLI prints what was recovered', async () => {
    const dir = tempDir('salvage-cp');
    const store = Store.open(dir);
    const { newRun } = seedProject(store);
    const run = newRun();
    const good = store.saveCheckpoint(run.id, { epoch: 1, kind: 'best', weights: bytes(9_000, 1), optimizer: bytes(900, 2), manifest: {} });
    const bad = store.saveCheckpoint(run.id, { epoch: 2, kind: 'last', weights: bytes(9_000, 3), optimizer: bytes(900, 4), manifest: {} });
    store.appendMetrics(run.id, Array.from({ length: 2000 }, (_, i) => ({ name: 'loss', epoch: i, value: i })));
    store.close();
    const file = join(dir, DB_FILE);
    // The bytes of the second checkpoint, changed where they lie in the file (bit rot inside an overflow page) …
    const data = readFileSync(file);
    const needle = Buffer.from(bytes(9_000, 3).subarray(6_000, 6_064));
    const at = data.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    expect(data.indexOf(needle, at + 1)).toBe(-1);
    data.writeUInt8(data.readUInt8(at + 10) ^ 0xff, at + 10);
    writeFileSync(file, data);
    // … and a damaged page of the metrics, so that the file is found damaged.
    damagePage(file, pagesOf(file, 'metrics').find((p) => p.pagetype === 'leaf')!.pageno);

    const err: string[] = [];
    const code = await runCli(['runs', '--json', '--data', dir], { out: () => {}, err: (t) => err.push(t), isTTY: false });
    expect(code).toBe(0);
    const said = err.join('\n');
    expect(said).toMatch(/^layerwise: the database was damaged \(.+\); it was moved to .+\.corrupt-.+ and a new one started$/m);
    expect(said).toMatch(new RegExp(`^layerwise: recovered from it: 1 projects, 1 model versions, 1 datasets, 1 runs, 1 metric names, \\d+ metrics, 1 checkpoints; not recovered: .*checkpoints: 1 not recovered \\(${bad.id} \\(run ${run.id}, epoch 3\\): its bytes do not match their sha256\\)`, 'm'));
    const reopened = Store.open(dir);
    try {
      expect(reopened.listCheckpoints(run.id).map((c) => c.id)).toEqual([good.id]);
      expectCheckpointsVerify(reopened, run.id);
    } finally {
      reopened.close();
    }
  });
});

describe('a write-ahead log damaged in the middle', () => {
  let test: TestServices;
  afterAll(async () => test?.close());

  it('is copied aside and reported run by run; the run it set back resumes to the uninterrupted result', async () => {
    test = openTestServices();
    const { api } = test.services;
    const project = await api.projects.create({ name: 'WAL' });
    const reference = await api.runs.start(job(project.id, 5, 17, 1000));
    const run = await api.runs.start(job(project.id, 5, 17, 1000));
    await waitStatus(api, run.id, ['completed', 'failed', 'interrupted']);
    await test.services.queue.idle();
    // A snapshot of the folder as a crash would leave it: everything since the store opened is in the log.
    const copy = tempDir('wal-copy');
    copyFileSync(join(test.dir, DB_FILE), join(copy, DB_FILE));
    copyFileSync(join(test.dir, `${DB_FILE}-wal`), join(copy, `${DB_FILE}-wal`));
    await test.close();

    const walFile = join(copy, `${DB_FILE}-wal`);
    const wal = readFileSync(walFile);
    const frameSize = 24 + wal.readUInt32BE(8);
    const frames = Math.floor((wal.length - 32) / frameSize);
    expect(scanWal(join(copy, DB_FILE))).toEqual({ frames, firstBadFrame: null, commitsLost: 0, lastLostCommitFrame: null });
    // One frame of the second run's training, well before the log's end: its page bytes overwritten.
    const victim = Math.floor(frames * 0.8);
    wal.set(bytes(256, 7), 32 + victim * frameSize + 24 + 512);
    writeFileSync(walFile, wal);

    const after = openTestServices({ dir: copy });
    test = after;
    const info = await after.services.api.app.info();
    const damage = info.walDamage!;
    expect(damage).toMatchObject({ firstBadFrame: victim + 1, frames, interruptedRuns: [run.id] });
    expect(damage.commitsLost).toBeGreaterThan(0);
    expect(existsSync(damage.copy) && existsSync(`${damage.copy}-wal`)).toBe(true);
    expect(damage.lost).toHaveLength(1);
    expect(damage.lost[0]).toMatch(new RegExp(`^run ${run.id}: \\d+ metric points \\(epochs? [\\d–]+\\), (checkpoints? of epoch [\\d, ]+, )?its status completed \\(now interrupted\\)$`));
    expect(info.interruptedRuns).toEqual([run.id]);
    expect(after.store.getRun(reference.id).status).toBe('completed');

    await after.services.api.runs.resumeFromCheckpoint({ id: run.id });
    const done = await waitStatus(after.services.api, run.id, ['completed', 'failed', 'interrupted']);
    expect(done.status).toBe('completed');
    expectSameAsUninterrupted(after.store, run.id, reference.id);
    expect(after.store.integrityCheck()).toEqual(['ok']);
  });
});

const bin = join(repoRoot, 'bin/layerwise.js');

describe('a run whose latest checkpoint is damaged', () => {
  it('refuses to resume, says why and which checkpoint to fork from; `layerwise fork` continues to the uninterrupted result', async () => {
    const data = tempDir('cp-damaged');
    const spec = join(data, 'tiny.json');
    writeFileSync(
      spec,
      JSON.stringify({ version: 1, name: 'Tiny', loss: 'categoricalCrossentropy', layers: [{ type: 'input', shape: [2] }, { type: 'dense', units: 8, activation: 'relu' }, { type: 'dense', units: 3, activation: 'softmax' }] }),
    );
    // Adam at 0.05 on this data: validation loss improves for four epochs, then not: a `best` and a later `last` checkpoint.
    const args = ['train', spec, '--dataset', 'spiral', '--epochs', '8', '--batch-size', '16', '--backend', 'wasm', '--trick', 'adam.learningRate=0.05', '--data', data];
    expect(spawnSync(process.execPath, [bin, ...args, '--json'], { cwd: repoRoot, encoding: 'utf8' }).status).toBe(0);
    // Run 2: Ctrl-C after its sixth epoch stops it (resumable).
    const cli = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => cli.on('close', resolve));
    let out = '';
    await new Promise<void>((resolve) => {
      cli.stdout.setEncoding('utf8').on('data', (c: string) => {
        out += c;
        if (out.includes('epoch 6/8')) resolve();
      });
    });
    cli.kill('SIGINT');
    expect(await exited).toBe(0);

    let latest: { id: number; epoch: number; weights: Uint8Array };
    let best: { id: number; epoch: number };
    {
      const store = Store.open(data);
      expect(store.getRun(2).status).toBe('stopped');
      const list = store.listCheckpoints(2);
      const last = list.reduce((a, b) => (b.epoch > a.epoch ? b : a));
      best = list.find((c) => c.kind === 'best' && c.id !== last.id)!;
      expect(best.epoch).toBeLessThan(last.epoch);
      latest = { id: last.id, epoch: last.epoch, weights: new Uint8Array(store.loadCheckpoint(last.id).weights) };
      store.close();
    }
    // Bit rot in the latest checkpoint's weights, where they lie in the file.
    const file = join(data, DB_FILE);
    const bytesOnDisk = readFileSync(file);
    const needle = Buffer.from(latest.weights.subarray(64, 128));
    const at = bytesOnDisk.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    bytesOnDisk.writeUInt8(bytesOnDisk.readUInt8(at + 5) ^ 0x10, at + 5);
    writeFileSync(file, bytesOnDisk);

    const resumed = spawnSync(process.execPath, [bin, 'resume', '2', '--data', data], { cwd: repoRoot, encoding: 'utf8' });
    expect(resumed.status).toBe(1);
    expect(resumed.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^layerwise resume: run 2 cannot resume: its latest checkpoint ${latest.id} \\(epoch ${latest.epoch + 1}\\) is damaged \\(checkpoint ${latest.id} weights: sha256 [0-9a-f]{64} does not match the recorded [0-9a-f]{64}\\); \`layerwise fork 2 --checkpoint ${best.id}\` starts a new run from that checkpoint$`,
        ),
      ),
    ]);
    const shown = spawnSync(process.execPath, [bin, 'show', '2', '--data', data], { cwd: repoRoot, encoding: 'utf8' });
    expect(shown.stdout).toContain(`\`layerwise fork 2 --checkpoint ${best.id}\` starts a new run from its epoch ${best.epoch + 1}`);

    const forked = spawnSync(process.execPath, [bin, 'fork', '2', '--checkpoint', String(best.id), '--json', '--data', data], { cwd: repoRoot, encoding: 'utf8' });
    expect([forked.status, forked.stderr]).toEqual([0, '']);
    const store = Store.open(data);
    try {
      expect(store.getRun(3)).toMatchObject({ status: 'completed', name: `Tiny from epoch ${best.epoch + 1}` });
      expectSameAsUninterrupted(store, 3, 1);
      expect(store.getRun(2).status).toBe('stopped');
    } finally {
      store.close();
    }
  });
});
