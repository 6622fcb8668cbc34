// `npm run bench:sweep`: a 12-run sweep on 1 and on 2 local trainers at once, and the wall-time ratio. A benchmark,
// not a test: nothing here asserts on time. The sweep is a 12-point grid over the learning rate of the spiral preset's
// MLP without pruning, so both sides train exactly the same 12 runs; sides alternate (1, 2, 1, 2, …) because these
// VMs drift from minute to minute. Each side gets a fresh data folder and the built trainer processes users run
// (out/main/trainer.js, built first when the sources changed), so a trainer's start-up counts as it does for a user.
//   node --import ./tests/store/support/register.mjs bench/sweep.ts [--repeats N] [--epochs N] [--samples N] [--json]
// Kept apart from `npm run bench` (it trains 24+ runs): run it with `npm run bench:sweep`.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkTrainer } from '../core/engine/trainer-client.js';
import { findPreset } from '../core/presets/load.js';
import { RunQueue } from '../core/runs/queue.js';
import { Store } from '../core/store/index.js';
import { SweepManager } from '../core/sweeps/manager.js';
import { needsImport, type SweepSpecInput } from '../shared/index.js';
import { ensureBuilt } from '../scripts/build.mjs';

export interface SweepBenchOptions {
  /** Measurements per side (default 2). */
  repeats?: number;
  /** Epochs per run (default 8). */
  epochs?: number;
  /** Spiral points (default 1500, the preset's). */
  samples?: number;
  /** Trainers at once to compare (default [1, 2]). */
  concurrency?: number[];
  log?: (line: string) => void;
}

export interface SweepBenchReport {
  runs: number;
  epochs: number;
  samples: number;
  cpus: number;
  loadAverage: number;
  sides: { concurrency: number; wallSeconds: number[]; meanSeconds: number }[];
  /** Mean wall time on 1 trainer over mean wall time on 2: above 1 means the second trainer helps. */
  ratio: number | null;
}

export function spec(epochs: number, samples: number): SweepSpecInput {
  const preset = findPreset('spiral-mlp');
  if (needsImport(preset.dataset)) throw new Error('spiral-mlp is expected to train on its synthetic spiral');
  return {
    name: 'bench: 12 learning rates',
    base: { spec: preset.model, dataset: { ...preset.dataset, samples } as typeof preset.dataset, config: { ...preset.training, epochs } },
    method: 'grid',
    parameters: [{ path: 'tricks.adam.learningRate', min: 0.0003, max: 0.3, log: true, grid: 12 }],
    pruning: { method: 'none' },
    backend: 'wasm',
  };
}

/** One sweep of the 12 runs with `concurrency` trainers: its wall time in seconds. */
async function once(concurrency: number, input: SweepSpecInput): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-bench-sweep-'));
  const store = Store.open(dir, { owner: 'bench' });
  const queue = new RunQueue({ store, concurrency, adoptQueued: false, spawnTrainer: () => forkTrainer(), log: () => {} });
  const manager = new SweepManager({ store, queue, raiseQueueConcurrency: true, log: () => {} });
  try {
    const project = store.createProject({ name: 'bench' });
    const t0 = performance.now();
    const sweep = manager.create(project.id, input, { concurrency });
    queue.start();
    const done = await manager.settled(sweep.id);
    const seconds = (performance.now() - t0) / 1000;
    if (done.counts.completed !== 12) throw new Error(`the sweep completed ${done.counts.completed} of 12 runs (${JSON.stringify(done.counts)})`);
    return seconds;
  } finally {
    manager.close();
    await queue.shutdown();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function sweepBench(options: SweepBenchOptions = {}): Promise<SweepBenchReport> {
  const repeats = options.repeats ?? 2;
  const epochs = options.epochs ?? 8;
  const samples = options.samples ?? 1500;
  const sides = options.concurrency ?? [1, 2];
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (ensureBuilt() === 'cannot-build') throw new Error('out/ is stale and the build tools are not installed');
  const input = spec(epochs, samples);
  const walls = new Map<number, number[]>(sides.map((c) => [c, []]));
  for (let r = 0; r < repeats; r++) {
    for (const c of sides) {
      const s = await once(c, input);
      walls.get(c)!.push(s);
      log(`sweep bench: 12 runs × ${epochs} epochs on ${c} trainer${c === 1 ? '' : 's'}: ${s.toFixed(1)} s`);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const report = sides.map((c) => ({ concurrency: c, wallSeconds: walls.get(c)!.map((s) => Math.round(s * 10) / 10), meanSeconds: Math.round(mean(walls.get(c)!) * 10) / 10 }));
  const one = report.find((s) => s.concurrency === 1);
  const two = report.find((s) => s.concurrency === 2);
  return {
    runs: 12,
    epochs,
    samples,
    cpus: availableParallelism(),
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    sides: report,
    ratio: one && two ? Math.round((mean(walls.get(1)!) / mean(walls.get(2)!)) * 100) / 100 : null,
  };
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const json = process.argv.includes('--json');
  const num = (name: string) => (flag(name) === undefined ? undefined : Number(flag(name)));
  const report = await sweepBench({
    ...(num('repeats') !== undefined ? { repeats: num('repeats') } : {}),
    ...(num('epochs') !== undefined ? { epochs: num('epochs') } : {}),
    ...(num('samples') !== undefined ? { samples: num('samples') } : {}),
  });
  if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    for (const s of report.sides) process.stdout.write(`${s.concurrency} trainer${s.concurrency === 1 ? ' ' : 's'}: ${s.meanSeconds} s mean wall time (${s.wallSeconds.join(', ')} s)\n`);
    process.stdout.write(`wall-time ratio 1 : 2 trainers = ${report.ratio ?? '—'} (12 runs × ${report.epochs} epochs, ${report.samples} spiral points, ${report.cpus} CPUs, load ${report.loadAverage})\n`);
  }
}
