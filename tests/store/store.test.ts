// The Store API on real database files: entities, validation, errors, metrics, checkpoints, resume.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE, SCHEMA_VERSION, Store, StoreError } from '../../core/store/index.js';
import { bytes, config, root, seedProject, spiral, tempDir, widerSpec } from './support/helpers.js';

let open: Store[] = [];
afterEach(() => {
  for (const store of open) store.close();
  open = [];
});

function fresh(options: Parameters<typeof Store.open>[1] = {}): Store {
  const store = Store.open(tempDir(), options);
  open.push(store);
  return store;
}

function error(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StoreError) return e;
    throw e;
  }
  throw new Error('expected a StoreError');
}

describe('Store: opening', () => {
  it('creates the database in WAL mode with foreign keys on and reports a clean first open', () => {
    const store = fresh();
    expect(store.report).toMatchObject({ created: true, migratedFrom: null, interruptedRuns: [], movedAside: null, staleLock: null });
    expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.sqlite.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.sqlite.pragma('busy_timeout', { simple: true })).toBe(2000);
    expect(store.integrityCheck()).toEqual(['ok']);
  });

  it('loads better-sqlite3 from an explicit native binding (how Electron gets its own build)', () => {
    const binding = join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    const dir = tempDir();
    const store = Store.open(dir, { nativeBinding: binding });
    expect(store.createProject({ name: 'native' }).id).toBe(1);
    store.close();
    // A missing binary fails the open and leaves the folder unlocked.
    expect(() => Store.open(dir, { nativeBinding: join(dir, 'native/electron/better_sqlite3.node') })).toThrow(/better_sqlite3\.node/);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('errors print as `Code: message` and carry details', () => {
    const store = fresh();
    const e = error(() => store.getRun(42));
    expect(String(e)).toBe('RunNotFound: run 42 does not exist');
    expect(e.code).toBe('RunNotFound');
    expect(e.details).toEqual({ id: 42 });
    expect(String(error(() => store.getProject(7)))).toBe('ProjectNotFound: project 7 does not exist');
    expect(error(() => store.getRun(0)).message).toBe('run id must be a positive integer (got 0)');
    store.close();
    expect(error(() => store.listProjects()).code).toBe('StoreClosed');
  });
});

describe('Store: projects, model versions, datasets', () => {
  it('keeps one model version per distinct spec, whatever the key order, with its parent', () => {
    const store = fresh({ now: () => Date.UTC(2025, 0, 2, 3, 4, 5, 678) });
    const project = store.createProject({ name: 'Spirals', notes: 'n' });
    expect(project).toEqual({ id: 1, name: 'Spirals', notes: 'n', createdAt: '2025-01-02T03:04:05.678Z' });
    const v1 = store.saveModelVersion(project.id, spiral.model);
    expect(v1.created).toBe(true);
    expect(v1.hash).toMatch(/^[0-9a-f]{64}$/);
    // Same spec, keys in another order: the same version.
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverseKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)])) : v;
    const reordered = reverseKeys(spiral.model) as typeof spiral.model;
    expect(Object.keys(reordered)).not.toEqual(Object.keys(spiral.model));
    const again = store.saveModelVersion(project.id, reordered);
    expect(again).toMatchObject({ id: v1.id, created: false, hash: v1.hash });
    const v2 = store.saveModelVersion(project.id, widerSpec(), { parentId: v1.id });
    expect(v2).toMatchObject({ id: 2, parentId: 1, created: true, name: 'Spiral MLP' });
    expect(v2.hash).not.toBe(v1.hash);
    expect(store.listModelVersions(project.id).map((v) => v.id)).toEqual([1, 2]);
    expect(store.getModelVersion(2).spec).toEqual(widerSpec());
    // The same spec in another project is a version of that project.
    const other = store.createProject({ name: 'Other' });
    expect(store.saveModelVersion(other.id, spiral.model)).toMatchObject({ id: 3, created: true });
  });

  it('refuses invalid specs, datasets and names with the reason', () => {
    const store = fresh();
    const project = store.createProject({ name: 'P' });
    const bad = structuredClone(spiral.model);
    (bad.layers[1] as { units: number }).units = 0;
    expect(error(() => store.saveModelVersion(project.id, bad)).message).toBe('the model spec is not valid: layers[1].units must be a positive integer (got 0)');
    expect(error(() => store.saveModelVersion(99, spiral.model)).message).toBe('project 99 does not exist');
    expect(error(() => store.saveDataset(project.id, { source: { kind: 'synthetic', name: 'spiral', samples: 10, classes: 3, noise: 0 }, split: {} })).message).toBe(
      'the dataset source is not valid: samples must be an integer >= 30',
    );
    expect(error(() => store.createProject({ name: ' ' })).message).toBe('project name must be a non-empty string of at most 200 characters (got " ")');
  });

  it('dedupes datasets by fingerprint and deletes a project with everything in it', () => {
    const store = fresh();
    const { project, dataset, newRun } = seedProject(store);
    expect(dataset).toMatchObject({ name: 'spiral (1500 points, 3 classes, noise 0.05)', created: true });
    const same = store.saveDataset(project.id, { source: spiral.dataset, split: { seed: 1, test: 0.1, validation: 0.1, train: 0.8 } });
    expect(same).toMatchObject({ id: dataset.id, created: false });
    const given = store.saveDataset(project.id, { source: { kind: 'mnist' }, split: {}, fingerprint: 'mnist-10k-v1' });
    expect(given).toMatchObject({ id: 2, name: 'MNIST', fingerprint: 'mnist-10k-v1' });
    const run = newRun();
    store.appendMetrics(run.id, [{ name: 'loss', epoch: 0, value: 1 }]);
    store.saveCheckpoint(run.id, { epoch: 0, kind: 'last', weights: bytes(10, 1), optimizer: bytes(10, 2), manifest: {} });
    store.saveComparison({ projectId: project.id, name: 'c', runIds: [run.id] });
    store.deleteProject(project.id);
    const counts = ['projects', 'model_versions', 'datasets', 'runs', 'metrics', 'checkpoints', 'checkpoint_blobs', 'comparisons', 'comparison_runs'].map(
      (t) => store.sqlite.prepare(`SELECT count(*) FROM ${t}`).pluck().get(),
    );
    expect(counts).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('Store: runs', () => {
  it('records the full config snapshot and walks the status machine with timings', () => {
    let clock = Date.UTC(2025, 5, 1);
    const store = fresh({ now: () => clock });
    const { newRun } = seedProject(store);
    // A config naming no optimizer gets the default one filled in: the snapshot is what trains.
    const run = newRun({ config: { epochs: 5, batchSize: 16, seed: 9, tricks: { dropout: { rate: 0.2 } } } });
    expect(run).toMatchObject({ id: 1, status: 'queued', seed: 9, backend: 'wasm', device: '2 CPU cores', presetId: 'spiral-mlp', startedAt: null, finishedAt: null, finalMetrics: null });
    expect(run.config.tricks).toEqual({ dropout: { rate: 0.2 }, adam: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } });
    clock += 1000;
    // The trainer reports the backend it resolved and the device it found.
    expect(store.markRunStarted(run.id, { backend: 'webgpu', device: 'NVIDIA H200' })).toMatchObject({
      status: 'running',
      backend: 'webgpu',
      device: 'NVIDIA H200',
      startedAt: '2025-06-01T00:00:01.000Z',
    });
    clock += 1000;
    store.setRunStatus(run.id, 'paused');
    store.setRunStatus(run.id, 'running');
    clock += 1000;
    const done = store.finishRun(run.id, { status: 'diverged', finalMetrics: { loss: Number.NaN, accuracy: 0.25 }, error: 'loss became NaN at epoch 3' });
    expect(done).toMatchObject({
      status: 'diverged',
      startedAt: '2025-06-01T00:00:01.000Z',
      finishedAt: '2025-06-01T00:00:03.000Z',
      finalMetrics: { accuracy: 0.25, loss: null },
      error: 'loss became NaN at epoch 3',
    });
    const e = error(() => store.setRunStatus(run.id, 'running'));
    expect(e.code).toBe('InvalidTransition');
    expect(e.message).toBe('run 1 is diverged and cannot become running');
    expect(error(() => store.markRunStarted(run.id, { backend: 'cpu' })).message).toBe('run 1 is diverged and cannot start');
    expect(store.listRuns()).toHaveLength(1);
    expect(store.listRuns()[0]).toMatchObject({ id: 1, modelName: 'Spiral MLP', datasetName: 'spiral (1500 points, 3 classes, noise 0.05)' });
    expect(store.listRuns({ status: 'completed' })).toEqual([]);
  });

  it('refuses configs that do not validate, and versions of another project', () => {
    const store = fresh();
    const { project, newRun } = seedProject(store);
    expect(error(() => newRun({ config: config({ epochs: 0 }) })).message).toBe('the training config is not valid: epochs must be an integer in [1, 10000] (got 0)');
    const other = store.createProject({ name: 'Other' });
    const foreign = store.saveModelVersion(other.id, widerSpec());
    expect(error(() => newRun({ modelVersionId: foreign.id })).message).toBe(`model version ${foreign.id} belongs to project ${other.id}, not ${project.id}`);
  });
});

describe('Store: metrics', () => {
  it('appends batches all-or-nothing and reads curves back in (epoch, step) order, NaN and Infinity kept', () => {
    const store = fresh();
    const { newRun } = seedProject(store);
    const run = newRun({ status: 'running' });
    // 130 points: two full 64-row chunks and two single rows, inserted out of order.
    const points = Array.from({ length: 130 }, (_, i) => ({ name: 'loss', epoch: Math.floor((129 - i) / 10), step: 129 - i, value: 1 / (130 - i) }));
    expect(store.appendMetrics(run.id, points)).toBe(130);
    store.appendMetrics(run.id, [
      { name: 'val_loss', epoch: 1, value: Number.NaN },
      { name: 'val_loss', epoch: 0, value: Infinity },
      { name: 'val_loss', epoch: 2, step: null, value: -Infinity },
    ]);
    const [loss, val] = store.metricSeries(run.id);
    expect(loss!.name).toBe('loss');
    expect(loss!.steps).toEqual(Array.from({ length: 130 }, (_, i) => i));
    expect(loss!.epochs.slice(0, 12)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(loss!.values[0]).toBe(1);
    expect(loss!.values[129]).toBe(1 / 130);
    expect(val).toEqual({ name: 'val_loss', epochs: [0, 1, 2], steps: [null, null, null], values: [Infinity, Number.NaN, -Infinity] });
    expect(store.metricSeries(run.id, ['val_loss']).map((s) => s.name)).toEqual(['val_loss']);
    // The same (name, epoch, step) replaces the earlier value.
    store.appendMetrics(run.id, [{ name: 'val_loss', epoch: 1, value: 0.5 }]);
    expect(store.metricSeries(run.id, ['val_loss'])[0]!.values).toEqual([Infinity, 0.5, -Infinity]);
    expect(store.metricCount(run.id)).toBe(133);
    // One bad point refuses the whole batch.
    const e = error(() => store.appendMetrics(run.id, [{ name: 'loss', epoch: 99, value: 1 }, { name: 'loss', epoch: -1, value: 2 }]));
    expect(e.message).toBe('metrics[1].epoch must be an integer >= 0 (got -1)');
    expect(store.metricCount(run.id)).toBe(133);
    expect(error(() => store.appendMetrics(77, [{ name: 'loss', epoch: 0, value: 1 }])).message).toBe('run 77 does not exist');
    expect(store.sqlite.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('loads the curves of several runs for a comparison', () => {
    const store = fresh();
    const { project, newRun } = seedProject(store);
    const runs = [newRun(), newRun(), newRun()];
    runs.forEach((run, r) => store.appendMetrics(run.id, Array.from({ length: 20 }, (_, e) => ({ name: 'accuracy', epoch: e, value: r + e / 100 }))));
    const comparison = store.saveComparison({ projectId: project.id, name: 'three seeds', runIds: [runs[2]!.id, runs[0]!.id], notes: 'seed spread' });
    expect(comparison).toMatchObject({ id: 1, runIds: [3, 1], notes: 'seed spread' });
    const curves = store.loadCurves(store.getComparison(1).runIds);
    expect(curves.map((c) => [c.runId, c.series[0]!.values[19]])).toEqual([
      [3, 2.19],
      [1, 0.19],
    ]);
    expect(store.updateComparison(1, { runIds: [1, 2, 3] }).runIds).toEqual([1, 2, 3]);
    expect(error(() => store.saveComparison({ projectId: project.id, name: 'x', runIds: [1, 1] })).message).toBe('runIds lists a run twice (1, 1)');
    store.deleteRun(2);
    expect(store.getComparison(1).runIds).toEqual([1, 3]);
  });
});

describe('Store: checkpoints and resume', () => {
  it('keeps bytes exactly, replaces best/last, accumulates periodic, and checks sha256 on load', () => {
    const store = fresh();
    const { newRun } = seedProject(store);
    const run = newRun({ status: 'running' });
    const save = (epoch: number, kind: 'best' | 'last' | 'periodic') =>
      store.saveCheckpoint(run.id, { epoch, kind, weights: bytes(1000 + epoch, epoch), optimizer: bytes(2000, epoch + 50), manifest: { weightSpecs: [{ name: 'w', shape: [2, 3] }], epoch } });
    save(1, 'periodic');
    save(1, 'last');
    save(2, 'best');
    save(2, 'last');
    const last = save(3, 'last');
    save(2, 'periodic');
    expect(store.listCheckpoints(run.id).map((c) => `${c.epoch}:${c.kind}`)).toEqual(['1:periodic', '2:best', '2:periodic', '3:last']);
    expect(last).toMatchObject({ epoch: 3, kind: 'last', size: 3003, weights: { size: 1003 }, optimizer: { size: 2000 }, manifest: { epoch: 3 } });
    const latest = store.latestCheckpoint(run.id)!;
    expect(latest.checkpoint.id).toBe(last.id);
    expect(Buffer.from(latest.weights).equals(Buffer.from(bytes(1003, 3)))).toBe(true);
    expect(Buffer.from(latest.optimizer).equals(Buffer.from(bytes(2000, 53)))).toBe(true);
    // Damage the stored bytes behind the store's back: loading names the checkpoint and the part.
    store.sqlite.prepare('UPDATE checkpoint_blobs SET optimizer = zeroblob(2000) WHERE checkpoint_id = ?').run(last.id);
    const e = error(() => store.loadCheckpoint(last.id));
    expect(e.code).toBe('CheckpointCorrupt');
    expect(e.message).toMatch(new RegExp(`^checkpoint ${last.id} optimizer: sha256 [0-9a-f]{64} does not match the recorded ${last.optimizer.sha256}$`));
  });

  it('resumes an interrupted run from its last checkpoint, dropping the metrics after it', () => {
    const store = fresh();
    const { newRun } = seedProject(store);
    const run = newRun({ status: 'running' });
    for (let epoch = 0; epoch < 6; epoch++) {
      store.appendMetrics(run.id, [
        { name: 'loss', epoch, value: 1 / (epoch + 1) },
        { name: 'loss', epoch, step: epoch * 10, value: 2 },
      ]);
      if (epoch === 3) store.saveCheckpoint(run.id, { epoch, kind: 'last', weights: bytes(8, 1), optimizer: bytes(8, 2), manifest: null });
    }
    expect(error(() => store.beginResume(run.id)).message).toBe('run 1 is running; only an interrupted or stopped run can be resumed (it is still queued or training)');
    store.setRunStatus(run.id, 'interrupted', { error: 'crashed' });
    expect(error(() => store.setRunStatus(run.id, 'running')).message).toBe('run 1 is interrupted and cannot become running (resume it with beginResume)');
    const resume = store.beginResume(run.id);
    expect(resume.checkpoint!.checkpoint.epoch).toBe(3);
    expect(resume.discardedMetrics).toBe(4);
    expect(resume.run).toMatchObject({ status: 'running', error: null, finishedAt: null });
    expect(store.metricSeries(run.id, ['loss'])[0]!.epochs).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    store.appendMetrics(run.id, [4, 5].map((epoch) => ({ name: 'loss', epoch, value: 0.1 })));
    expect(store.finishRun(run.id, { status: 'completed', finalMetrics: { loss: 0.1 } }).status).toBe('completed');
    // A stopped run without any checkpoint starts again from scratch.
    const other = newRun({ status: 'running' });
    store.appendMetrics(other.id, [{ name: 'loss', epoch: 0, value: 1 }]);
    store.finishRun(other.id, { status: 'stopped' });
    expect(store.beginResume(other.id)).toMatchObject({ checkpoint: null, discardedMetrics: 1 });
  });
});
