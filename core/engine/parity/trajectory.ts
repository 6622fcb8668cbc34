// Trajectory parity: the same spec, seed and digits trained for a few epochs with the engine's own loop on each
// backend; per-epoch training and validation losses compared with the cpu run.
import { parseTrainingConfig, type EpochReport, type ModelSpec } from '../../../shared/index.js';
import { initBackend, type BackendName } from '../backends/index.js';
import { takeRows, type Dataset } from '../data/dataset.js';
import { loadMnist } from '../data/mnist.js';
import { train } from '../train.js';

/**
 * Largest allowed |loss − loss_cpu| / |loss_cpu| at any epoch (training and validation loss). Gradients agree to
 * ~1e-6 relative per step, and float32 rounding differences compound over the steps of a run (Adam divides by √v,
 * so near-zero components move by far more than the gradient's relative error); measured here after 3 epochs of
 * 256 digits: wasm 1.3e-8, webgpu 1.4e-7. The tolerance leaves ~70× headroom over that and is still ~100× below
 * what one wrong gradient kernel does (tfjs's own wasm MaxPoolGrad: see tests/parity).
 */
export const TRAJECTORY_TOLERANCE = 1e-5;

export const TRAJECTORY_SPEC: ModelSpec = {
  version: 1,
  name: 'parity trajectory',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [28, 28, 1] },
    { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', activation: 'leakyRelu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'conv2d', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
    { type: 'flatten' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

export interface TrajectoryOptions {
  backends: BackendName[];
  /** Training digits (default 256); validation and test use a quarter each. */
  trainCount?: number;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  spec?: ModelSpec;
  tricks?: Record<string, unknown>;
  /** Called after each backend is made current, before it trains (see ParityOptions.onBackend). */
  onBackend?: (backend: BackendName) => void;
}

export interface TrajectoryReport {
  epochs: number;
  /** Per backend, per epoch: [train loss, validation loss]. */
  losses: Partial<Record<BackendName, Array<[number, number]>>>;
  /** Per non-cpu backend: the largest relative divergence, at which epoch and metric, and where it first appears. */
  divergence: Array<{ backend: BackendName; largest: number; epoch: number; metric: 'loss' | 'valLoss'; firstNonZeroEpoch: number | null; perEpoch: number[] }>;
  tolerance: number;
  ok: boolean;
}

export async function runTrajectory(opts: TrajectoryOptions): Promise<TrajectoryReport> {
  const trainCount = opts.trainCount ?? 256;
  const epochs = opts.epochs ?? 3;
  const mnist = loadMnist();
  const take = (split: Dataset['train'], n: number) => takeRows(split.x, split.y, 784, 10, Array.from({ length: n }, (_, i) => i));
  const dataset: Dataset = {
    ...mnist,
    name: `MNIST subset (${trainCount} digits)`,
    train: take(mnist.train, trainCount),
    validation: take(mnist.validation, Math.max(1, trainCount >> 2)),
    test: take(mnist.test, Math.max(1, trainCount >> 2)),
  };
  const parsed = parseTrainingConfig({
    epochs,
    batchSize: opts.batchSize ?? 32,
    seed: opts.seed ?? 3,
    tricks: opts.tricks ?? { scaleUnit: {}, adam: { learningRate: 0.003 }, dropout: { rate: 0.2 }, l2: { lambda: 1e-4 }, clipNorm: { maxNorm: 5 } },
  });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  const losses: TrajectoryReport['losses'] = {};
  const order: BackendName[] = ['cpu', ...opts.backends.filter((b) => b !== 'cpu')];
  for (const name of order) {
    const backend = await initBackend(name);
    opts.onBackend?.(name);
    const reports: EpochReport[] = [];
    const summary = await train({ spec: opts.spec ?? TRAJECTORY_SPEC, dataset, config: parsed.value, backend, events: { onEpoch: (r) => reports.push(r) } });
    if (summary.status !== 'completed') throw new Error(`trajectory on ${name}: ${summary.status}`);
    losses[name] = reports.map((r) => [r.metrics.loss, r.metrics.valLoss]);
  }
  await initBackend('cpu');
  const cpu = losses.cpu!;
  const divergence: TrajectoryReport['divergence'] = [];
  for (const name of order.slice(1)) {
    const got = losses[name]!;
    let largest = 0;
    let at = 0;
    let metric: 'loss' | 'valLoss' = 'loss';
    let firstNonZeroEpoch: number | null = null;
    const perEpoch: number[] = [];
    for (let e = 0; e < cpu.length; e++) {
      let epochMax = 0;
      for (const m of [0, 1] as const) {
        const d = Math.abs(got[e]![m] - cpu[e]![m]) / Math.max(Math.abs(cpu[e]![m]), 1e-30);
        epochMax = Math.max(epochMax, Number.isNaN(d) ? Infinity : d);
        if (!(d <= largest)) {
          largest = Number.isNaN(d) ? Infinity : d;
          at = e + 1;
          metric = m === 0 ? 'loss' : 'valLoss';
        }
      }
      if (epochMax > 0 && firstNonZeroEpoch === null) firstNonZeroEpoch = e + 1;
      perEpoch.push(epochMax);
    }
    divergence.push({ backend: name, largest, epoch: at, metric, firstNonZeroEpoch, perEpoch });
  }
  return { epochs, losses, divergence, tolerance: TRAJECTORY_TOLERANCE, ok: divergence.every((d) => d.largest <= TRAJECTORY_TOLERANCE) };
}

export function formatTrajectory(r: TrajectoryReport): string {
  const lines = [`trajectory: ${r.epochs} epochs, per-epoch |loss − cpu| / cpu, tolerance ${r.tolerance.toExponential(0)}`];
  for (const [name, l] of Object.entries(r.losses)) {
    lines.push(`  ${name.padEnd(7)} ${l.map(([a, b], e) => `e${e + 1} loss ${a.toFixed(6)} val ${b.toFixed(6)}`).join(' · ')}`);
  }
  for (const d of r.divergence) {
    const where = d.largest === 0 ? 'at no epoch' : `${d.metric}, epoch ${d.epoch}`;
    lines.push(
      `  ${d.backend.padEnd(7)} largest divergence ${d.largest.toExponential(2)} (${where}); ` +
        `per epoch ${d.perEpoch.map((x) => x.toExponential(1)).join(', ')}; ` +
        `${d.firstNonZeroEpoch === null ? 'identical to cpu' : `first differs at epoch ${d.firstNonZeroEpoch}`} ` +
        `${d.largest <= r.tolerance ? '✓' : '✗ over tolerance'}`,
    );
  }
  return lines.join('\n');
}
