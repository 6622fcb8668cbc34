// Data-parallel training on several threads (core/engine/threads): the same seed and thread count give the same
// numbers run after run; 2 threads give 1 thread's numbers within the parity bound, batch norm included (its batch
// statistics are synchronised across the threads: per-shard statistics would miss the bound by orders of magnitude);
// no thread leaks tensors; a bad thread count is refused with the field, the value and the range.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { parseThreads, resolveThreads, ThreadsError } from '../../core/engine/threads/settings.js';
import { unpackTensors } from '../../core/engine/tensor-codec.js';
import { train } from '../../core/engine/train.js';
import { withThreadCount } from '../../core/runs/threads.js';
import { parseTrainingConfig, type CheckpointPayload, type EpochReport, type ModelSpec, type TrainingConfig } from '../../shared/index.js';

// A CNN with batch norm after its convolution (no bias before it) and dropout before the classifier: every path the
// threads split.
const spec: ModelSpec = {
  version: 1,
  name: 'threads cnn',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [28, 28, 1] },
    { type: 'conv2d', filters: 8, kernelSize: 3, useBias: false },
    { type: 'batchNorm' },
    { type: 'activation', activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 16, activation: 'relu' },
    { type: 'dropout', rate: 0.3 },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

function config(threads: number, epochs = 2): TrainingConfig {
  const parsed = parseTrainingConfig({ epochs, batchSize: 64, seed: 5, threads, tricks: { scaleUnit: {}, momentum: { learningRate: 0.05, momentum: 0.9 } } });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  return parsed.value;
}

let backend: { name: 'wasm'; device: string };

beforeAll(async () => {
  backend = { name: 'wasm', device: (await initBackend('wasm')).device };
});

async function run(threads: number, epochs = 2) {
  const reports: EpochReport[] = [];
  const threadTensors: number[][] = [];
  const tensors: number[] = [];
  let checkpoint: CheckpointPayload | undefined;
  const summary = await train({
    spec,
    // Real digits; 200 rows at batch 64: three full batches and a partial one (uneven shards on 2 threads).
    dataset: { kind: 'mnist', trainSamples: 200 },
    config: config(threads, epochs),
    backend,
    events: {
      onEpoch: (r) => {
        reports.push(r);
        tensors.push(tf.memory().numTensors);
      },
      onThreadTensors: (counts) => threadTensors.push([...counts]),
      onCheckpoint: (c) => {
        checkpoint = c;
      },
    },
  });
  return { summary, reports, threadTensors, tensors, checkpoint: checkpoint! };
}

/** The model's weights in a checkpoint, by name, as plain arrays. */
function weightsOf(checkpoint: CheckpointPayload): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const { name, tensor } of unpackTensors({ entries: checkpoint.manifest.tensors, bytes: checkpoint.weights })) {
    out.set(name, Array.from(tensor.dataSync()));
    tensor.dispose();
  }
  return out;
}

/** Every number an epoch reports except its timing: metrics, sampled steps, per-layer statistics. */
const numbers = (reports: EpochReport[]) => reports.map(({ metrics: { seconds: _s, samplesPerSecond: _p, ...rest }, layers, steps }) => ({ ...rest, layers, steps }));

/** Every finite number in a value, depth first, with its path (to compare two runs' reports number by number). */
function flatten(value: unknown, path = '', out: Array<[string, number]> = []): Array<[string, number]> {
  if (typeof value === 'number') out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) flatten(v, `${path}.${k}`, out);
  return out;
}

/** The largest difference between two runs' reported numbers, relative to max(1, |a|), and where it is. */
function largestDifference(a: EpochReport[], b: EpochReport[]): { at: string; diff: number } {
  const fa = flatten(numbers(a));
  const fb = flatten(numbers(b));
  expect(fb.map(([p]) => p)).toEqual(fa.map(([p]) => p));
  let worst = { at: '', diff: 0 };
  fa.forEach(([path, x], i) => {
    const d = Math.abs(x - fb[i]![1]) / Math.max(1, Math.abs(x));
    if (d > worst.diff) worst = { at: path, diff: d };
  });
  return worst;
}

// The parity bound (npm run parity's): the threads' gradients are added in another order than one thread's sums its
// rows, so float32 rounding differs (~1e-8 here after 8 steps). SGD with momentum: Adam divides each gradient by its
// own running magnitude, so a weight whose true gradient is ~0 (a bias right before batch norm) turns rounding noise
// into full-size steps on any two summation orders; that is Adam's, not the threads'.
const BOUND = 1e-5;

describe('training on threads (wasm)', () => {
  it('gives identical numbers run after run with the same seed and thread count, and 1 thread\'s within the bound', async () => {
    const one = await run(1);
    const twoA = await run(2);
    const twoB = await run(2);
    expect(twoA.summary.status).toBe('completed');
    expect(numbers(twoB.reports)).toEqual(numbers(twoA.reports));
    const worst = largestDifference(one.reports, twoA.reports);
    expect(worst.diff, `largest difference at ${worst.at}`).toBeLessThan(BOUND);
    // The run learned something: the comparison is between real training runs, not two untrained models.
    expect(twoA.reports.at(-1)!.metrics.loss).toBeLessThan(twoA.reports[0]!.metrics.loss);
  });

  it('synchronises batch norm across the threads: its moving statistics and every weight match 1 thread\'s', async () => {
    // One epoch (4 steps). Unsynchronised, each thread would normalise by its own half-batch's statistics and feed
    // those into the moving mean and variance: differences of ~1e-2, three orders of magnitude past the bound.
    const one = await run(1, 1);
    const two = await run(2, 1);
    const a = weightsOf(one.checkpoint);
    const b = weightsOf(two.checkpoint);
    expect([...b.keys()]).toEqual([...a.keys()]);
    // Trainable weights come first; the batch-norm layer's moving mean and variance (8 channels each) are the last two.
    const [movingMean, movingVariance] = [...a.keys()].slice(-2).map((n) => a.get(n)!);
    expect([movingMean!.length, movingVariance!.length]).toEqual([8, 8]);
    for (const [name, values] of a) {
      const other = b.get(name)!;
      const diff = Math.max(...values.map((x, i) => Math.abs(x - other[i]!) / Math.max(1, Math.abs(x))));
      expect(diff, name).toBeLessThan(BOUND);
    }
    // They moved away from their initial 0 and 1: the comparison is of statistics the batches made.
    expect(movingMean!.some((x) => Math.abs(x) > 1e-4)).toBe(true);
    expect(movingVariance!.some((x) => Math.abs(x - 1) > 1e-2)).toBe(true);
    const worst = largestDifference(one.reports, two.reports);
    expect(worst.diff, `largest difference at ${worst.at}`).toBeLessThan(BOUND);
  });

  it('leaks no tensor in any thread nor in the trainer across epochs', async () => {
    const { threadTensors, tensors } = await run(2, 4);
    expect(threadTensors).toHaveLength(4);
    expect(threadTensors[0]).toHaveLength(2);
    for (const t of [0, 1]) {
      const counts = threadTensors.map((c) => c[t]!);
      expect(counts[0]!, `thread ${t}`).toBeGreaterThan(0);
      expect(new Set(counts).size, `thread ${t}: ${counts}`).toBe(1);
    }
    expect(new Set(tensors).size, `trainer: ${tensors}`).toBe(1);
  });
});

describe('the threads setting', () => {
  it('refuses a count outside 1…2×physical cores, naming the field, the value and the range', () => {
    expect(() => parseThreads(0, '--threads', 4)).toThrow("--threads must be an integer from 1 to 8 (up to twice this machine's 4 physical cores); got 0");
    expect(() => parseThreads('9', '--threads', 4)).toThrow(/--threads must be an integer from 1 to 8 .*got '9'/);
    expect(() => parseThreads('two', 'threads', 1)).toThrow("threads must be an integer from 1 to 2 (up to twice this machine's 1 physical core); got 'two'");
    expect(() => parseThreads(1.5, 'config.threads', 2)).toThrow(/config\.threads .* from 1 to 4 .*got 1\.5/);
    expect(() => parseThreads(2, 'x', 2)).not.toThrow();
    try {
      parseThreads(-1, '--threads', 2);
    } catch (error) {
      expect(error).toBeInstanceOf(ThreadsError);
      expect((error as ThreadsError).code).toBe('invalid_threads');
    }
  });

  it('resolves flag, then the run\'s config, then the user\'s setting, else one thread; one thread off wasm', () => {
    expect(resolveThreads({ flag: '3', setting: 1, cores: 2 })).toEqual({ threads: 3, source: 'flag' });
    expect(resolveThreads({ config: 2, setting: 1, cores: 4 })).toEqual({ threads: 2, source: 'config' });
    expect(resolveThreads({ setting: 16, cores: 2 })).toEqual({ threads: 4, source: 'setting' });
    // Nothing asked: one thread (more was slower than one on the measured 2-core machine; the user opts in).
    expect(resolveThreads({ cores: 6 })).toEqual({ threads: 1, source: 'default' });
    expect(resolveThreads({ backend: 'cpu', setting: 4, cores: 4 })).toEqual({ threads: 1, source: 'default' });
    expect(() => resolveThreads({ flag: 2, backend: 'cpu', cores: 4 })).toThrow('--threads 2 needs the wasm backend: cpu trains on one thread');
    expect(resolveThreads({ flag: 1, backend: 'webgpu', cores: 4 })).toEqual({ threads: 1, source: 'flag' });
  });

  it('is recorded in a new run\'s config and checked there; the schema names the field', () => {
    const base = config(1);
    const { threads: _t, ...unset } = base;
    expect(withThreadCount(unset, 'cpu').threads).toBe(1);
    expect(withThreadCount(base, 'wasm', 1).threads).toBe(1);
    expect(() => withThreadCount(base, 'wasm', 0, 'threads')).toThrow(/^threads must be an integer from 1 to \d+ .*got 0$/);
    expect(() => withThreadCount({ ...base, threads: 100_000 }, 'wasm')).toThrow(/config\.threads must be an integer from 1 to \d+ .*got 100000/);
    const bad = parseTrainingConfig({ epochs: 1, batchSize: 8, seed: 1, threads: 0 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => `${e.path} ${e.message}`).join('\n')).toMatch(/threads.*must be an integer in \[1, 256\]/);
  });
});
