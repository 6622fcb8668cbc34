// Where a training step's time goes: trains the bench CNN and MLP through the engine's real train() on wasm and
// prints ms/step, a per-kernel table and the achieved GFLOP/s. Run:
//   node --import ./tests/store/support/register.mjs bench/step-profile.ts [--batch 256,64] [--reps 5]
//        [--models cnn,mlp] [--steps 12] [--compare] [--backend wasm] [--trick batchNorm,dropout] [--detail] [--no-table]
// --models also takes preset ids (mnist-cnn, mnist-cnn-bn-dropout, …): the preset's model, trained with the bench's
// config (Adam, standardize); --trick adds tricks with their default parameters (e.g. batchNorm, dropout, l2, clipNorm).
// --compare interleaves, in this process, runs with the kernels the engine registered before issue 10 part 2
// ("before": stock Conv2DBackpropInput/BatchMatMul, the XNNPACK-built filter gradient and the JavaScript
// MaxPoolGrad) and with today's ("after"), and prints the median of --reps runs of each.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../core/engine/backends/index.js';
import { loadMnist } from '../core/engine/data/mnist.js';
import { train } from '../core/engine/train.js';
import { ENGINE_KERNELS, registerEngineKernels, stockKernel, BEFORE_KERNELS } from '../core/engine/kernels/index.js';
import type { Dataset } from '../core/engine/data/dataset.js';
import { CNN_SPEC, MLP_SPEC } from './models.js';
import { parseTrainingConfig, type ModelSpec } from '../shared/index.js';
import { findPreset } from '../core/presets/load.js';
import { countFlops } from './flops.js';

const args = process.argv.slice(2);
const opt = (name: string, d: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : d);
const BATCHES = opt('--batch', '256,64').split(',').map(Number);
const REPS = Number(opt('--reps', '5'));
const STEPS = Number(opt('--steps', '12'));
const MODELS = opt('--models', 'cnn,mlp').split(',');
const BACKEND = opt('--backend', 'wasm') as BackendName;
const COMPARE = args.includes('--compare');
/** Key the table by kernel name and input shapes. */
const DETAIL = args.includes('--detail');
/** Skip the per-kernel table (its extra profiled run): only the ms/step lines. */
const NO_TABLE = args.includes('--no-table');

const TRICKS = opt('--trick', '').split(',').filter(Boolean);

const SPECS: Record<string, ModelSpec> = { cnn: CNN_SPEC, mlp: MLP_SPEC };
const specOf = (model: string): ModelSpec => SPECS[model] ?? findPreset(model).model;

/** Multiply-adds ×2 of one training step (forward, input and weight gradients; the first layer's dx skipped). */
function stepFlops(model: string, n: number): number {
  if (!SPECS[model]) return countFlops(specOf(model)).total * n;
  if (model === 'mlp') return 2 * n * (784 * 128 + 128 * 10) * 3 - 2 * n * 784 * 128;
  const conv1 = 26 * 26 * 9 * 1 * 8;
  const conv2 = 11 * 11 * 9 * 8 * 16;
  const dense = 400 * 10;
  return 2 * n * (conv1 * 2 + conv2 * 3 + dense * 3);
}

/**
 * This process's CPU time in ms (user + system). The machine is shared: wall time includes the time other processes
 * took the core; CPU time does not, so it is what the tables report (wall time is printed next to it).
 */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// ---- kernel timers: every kernel of the backend wrapped; self time (nested kernel calls subtracted) and calls.
interface Stat {
  self: number;
  total: number;
  calls: number;
}
const stats = new Map<string, Stat>();
let counting = false;
const stack: number[] = []; // child time accumulated per open frame
function wrap(config: tf.KernelConfig): tf.KernelConfig {
  const inner = config.kernelFunc;
  const kernelFunc: tf.KernelFunc = (a) => {
    if (!counting) return inner(a);
    stack.push(0);
    const t0 = cpuMs();
    const out = inner(a);
    const dt = cpuMs() - t0;
    const child = stack.pop()!;
    if (stack.length) stack[stack.length - 1]! += dt;
    const key = DETAIL
      ? `${config.kernelName} ${Object.values(a.inputs)
          .map((t) => `[${(t as tf.TensorInfo | undefined)?.shape.join('×')}]`)
          .join('')}`
      : config.kernelName;
    const s = stats.get(key) ?? { self: 0, total: 0, calls: 0 };
    s.self += dt - child;
    s.total += dt;
    s.calls += 1;
    stats.set(key, s);
    return out;
  };
  return { ...config, kernelFunc };
}
const WRAPPED = Symbol('wrapped');
function wrapAll(backendName: string): void {
  for (const config of tf.getKernelsForBackend(backendName)) {
    if ((config.kernelFunc as unknown as Record<symbol, boolean>)[WRAPPED]) continue;
    const w = wrap(config);
    (w.kernelFunc as unknown as Record<symbol, boolean>)[WRAPPED] = true;
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel(w);
  }
}

/** Registers the "before" or "after" kernel set (then wraps everything with timers). */
function useKernels(which: 'before' | 'after', backendName: string): void {
  const set = which === 'before' ? BEFORE_KERNELS : ENGINE_KERNELS;
  const names = new Set([...BEFORE_KERNELS, ...ENGINE_KERNELS].filter((k) => k.backendName === backendName).map((k) => k.kernelName));
  for (const name of names) {
    const chosen = set.find((k) => k.kernelName === name && k.backendName === backendName) ?? stockKernel(name, backendName);
    if (tf.getKernel(name, backendName)) tf.unregisterKernel(name, backendName);
    if (chosen) {
      tf.registerKernel(chosen);
      chosen.setupFunc?.(tf.backend());
    }
  }
  wrapAll(backendName);
}

function subset(data: Dataset, count: number): Dataset {
  const f = 784;
  const cut = (s: Dataset['train'], n: number) => ({ x: s.x.subarray(0, n * f), y: s.y.subarray(0, n * 10), count: n });
  return { ...data, train: cut(data.train, count), validation: cut(data.validation, 256), test: cut(data.test, 256) };
}

/**
 * One train() of STEPS+2 batches; returns the median CPU ms between consecutive batches (after 2 warm-up batches)
 * and the median wall ms.
 */
async function run(model: string, batch: number, backend: { name: BackendName; device: string }, profile: boolean): Promise<{ cpu: number; wall: number }> {
  const data = subset(loadMnist(), batch * (STEPS + 2));
  const parsed = parseTrainingConfig({ epochs: 1, batchSize: batch, seed: 1, tricks: { standardize: {}, adam: { learningRate: 0.001 }, ...Object.fromEntries(TRICKS.map((t) => [t, {}])) } });
  if (!parsed.ok) throw new Error('config');
  const marks: number[] = [];
  const walls: number[] = [];
  stats.clear();
  await train({
    spec: specOf(model),
    dataset: data,
    config: parsed.value,
    backend,
    events: {
      onBatch: (p) => {
        marks.push(cpuMs());
        walls.push(performance.now());
        if (p.batch === 2) counting = profile;
        if (p.batch === p.batchesPerEpoch) counting = false;
      },
    },
  });
  counting = false;
  const gaps = (m: number[]) => m.slice(2).map((t, i) => t - m[i + 1]!);
  return { cpu: median(gaps(marks)), wall: median(gaps(walls)) };
}

function table(model: string, batch: number, steps: number, msPerStep: number): string {
  const rows = [...stats.entries()].sort((a, b) => b[1].self - a[1].self);
  const sum = rows.reduce((a, [, s]) => a + s.self, 0) / steps;
  const lines = [`  ${'kernel (CPU ms)'.padEnd(DETAIL ? 60 : 26)}  ms/step  self%  calls/step  (incl. nested ms)`];
  for (const [name, s] of rows) {
    const ms = s.self / steps;
    if (ms < 0.05) continue;
    lines.push(
      `  ${name.padEnd(DETAIL ? 60 : 26)} ${ms.toFixed(2).padStart(8)} ${((100 * ms) / msPerStep).toFixed(1).padStart(5)}% ${(s.calls / steps).toFixed(1).padStart(10)}  ${s.total !== s.self ? (s.total / steps).toFixed(2) : ''}`,
    );
  }
  lines.push(`  ${'(all kernels)'.padEnd(DETAIL ? 60 : 26)} ${sum.toFixed(2).padStart(8)} ${((100 * sum) / msPerStep).toFixed(1).padStart(5)}%`);
  lines.push(`  ${'(outside kernels)'.padEnd(DETAIL ? 60 : 26)} ${(msPerStep - sum).toFixed(2).padStart(8)}`);
  return `${model} batch ${batch}:\n${lines.join('\n')}`;
}

const backend = await initBackend(BACKEND);
registerEngineKernels();
console.log(`backend ${backend.name}: ${backend.device}; ${STEPS} timed steps per run, median of ${REPS} runs${TRICKS.length ? `; tricks ${TRICKS.join(', ')}` : ''}`);
const modes: Array<'before' | 'after'> = COMPARE ? ['before', 'after'] : ['after'];
for (const model of MODELS) {
  for (const batch of BATCHES) {
    const times: Record<string, number[]> = { before: [], after: [] };
    const walls: Record<string, number[]> = { before: [], after: [] };
    for (let r = 0; r < REPS; r++) {
      for (const mode of modes) {
        useKernels(mode, BACKEND);
        const t = await run(model, batch, backend, false);
        times[mode]!.push(t.cpu);
        walls[mode]!.push(t.wall);
      }
    }
    const flops = stepFlops(model, batch);
    for (const mode of modes) {
      const ms = median(times[mode]!);
      console.log(
        `${model} batch ${batch} ${COMPARE ? mode.padEnd(6) : ''} ${ms.toFixed(2)} ms/step  ${((batch * 1000) / ms).toFixed(0)} samples/s  ${(flops / ms / 1e6).toFixed(2)} GFLOP/s  (CPU time; runs ${times[mode]!.map((t) => t.toFixed(1)).join(' ')}; wall ${median(walls[mode]!).toFixed(1)})`,
      );
    }
    // The per-kernel table of today's kernels (one extra, timed run).
    if (NO_TABLE) continue;
    useKernels('after', BACKEND);
    const { cpu } = await run(model, batch, backend, true);
    console.log(table(model, batch, STEPS, cpu));
  }
}
tf.disposeVariables();
