// `npm run bench:store`: the store's two performance targets, measured on real files in a temp folder.
//   1. insert 1,000,000 metric points (as training does: appendMetrics batches of 1,000)  target < 5 s
//   2. load the curves of 20 runs x 10,000 points for a comparison                        target < 150 ms
// Runs the TypeScript sources directly (tests/store/support/register.mjs transpiles them).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DB_FILE, Store, type MetricPoint } from '../core/store/index.js';

const RUNS = 100;
const POINTS_PER_RUN = 10_000;
const BATCH = 1_000;
const NAMES = ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'];
const COMPARED = 20;

const dir = mkdtempSync(join(tmpdir(), 'layerwise-bench-store-'));
const store = Store.open(dir);
try {
  const project = store.createProject({ name: 'bench' });
  const version = store.saveModelVersion(project.id, {
    version: 1,
    name: 'bench MLP',
    loss: 'categoricalCrossentropy',
    layers: [
      { type: 'input', shape: [784] },
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dense', units: 10, activation: 'softmax' },
    ],
  });
  const dataset = store.saveDataset(project.id, { source: { kind: 'mnist' }, split: { validation: 1000 } });
  const runs = Array.from({ length: RUNS }, (_, r) =>
    store.createRun({ projectId: project.id, modelVersionId: version.id, datasetId: dataset.id, config: { epochs: 2000, batchSize: 64, seed: r, tricks: {} }, backend: 'wasm', status: 'running' }),
  );

  // Points made up front so that only the store is timed.
  const batches = runs.flatMap((run, r) =>
    Array.from({ length: POINTS_PER_RUN / BATCH }, (_, b) => {
      const points: MetricPoint[] = [];
      for (let i = b * BATCH; i < (b + 1) * BATCH; i++) {
        points.push({ name: NAMES[i % NAMES.length]!, epoch: Math.floor(i / NAMES.length), value: Math.exp(-i / 3000) + r * 1e-3 + (i % 7) * 1e-4 });
      }
      return { runId: run.id, points };
    }),
  );
  const total = batches.reduce((n, b) => n + b.points.length, 0);

  const t0 = performance.now();
  for (const batch of batches) store.appendMetrics(batch.runId, batch.points);
  const insertMs = performance.now() - t0;

  const ids = runs.slice(0, COMPARED).map((r) => r.id);
  const loads: number[] = [];
  let loaded = 0;
  for (let rep = 0; rep < 7; rep++) {
    const t = performance.now();
    const curves = store.loadCurves(ids);
    loads.push(performance.now() - t);
    loaded = curves.reduce((n, c) => n + c.series.reduce((m, s) => m + s.values.length, 0), 0);
  }
  const median = [...loads].sort((a, b) => a - b)[Math.floor(loads.length / 2)]!;
  const size = statSync(join(dir, DB_FILE)).size + (statSync(join(dir, `${DB_FILE}-wal`), { throwIfNoEntry: false })?.size ?? 0);

  const ok = (pass: boolean) => (pass ? 'ok ' : 'SLOW');
  const lines = [
    `store bench (${dir})`,
    `${ok(insertMs < 5000)} insert ${total.toLocaleString('en-US')} metric points in ${batches.length.toLocaleString('en-US')} batches: ${(insertMs / 1000).toFixed(2)} s (${Math.round(total / (insertMs / 1000)).toLocaleString('en-US')} points/s; target < 5 s)`,
    `${ok(median < 150)} load curves of ${COMPARED} runs x ${POINTS_PER_RUN.toLocaleString('en-US')} points (${loaded.toLocaleString('en-US')}): first ${loads[0]!.toFixed(1)} ms, median of ${loads.length} ${median.toFixed(1)} ms (target < 150 ms) (each: ${loads.map((l) => l.toFixed(0)).join(', ')} ms)`,
    `database ${(size / 1024 ** 2).toFixed(1)} MB`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (loaded !== COMPARED * POINTS_PER_RUN) throw new Error(`loaded ${loaded} points, expected ${COMPARED * POINTS_PER_RUN}`);
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
