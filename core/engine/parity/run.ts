// Runs the parity cases: one forward pass and every variable's gradient (and, for the step tricks, one optimizer
// step through the loop's applyUpdate and the config's trick hooks) on the same real digits and the same initial weights on each backend, compared with
// the cpu backend; the cpu backend itself is checked against float64 in the reference cases.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expandSpec, parseTrainingConfig, type TrainingConfig } from '../../../shared/index.js';
import { initBackend, type BackendName } from '../backends/index.js';
import { buildModel } from '../build-model.js';
import { holdsKernel, tfjsClass } from '../layers/registry.js';
import { ENGINE_KERNELS, registerEngineKernels, stockKernel } from '../kernels/index.js';
import { CPU_FIXES } from '../kernels/layer-gaps.js';
import { loadMnist } from '../data/mnist.js';
import { createRng, withSeededMathRandom } from '../data/rng.js';
import { globalNorm } from '../gradients.js';
import { prepareHead } from '../head.js';
import { disposeHooks, LoopTricks } from '../tricks/registry.js';
import { applyUpdate } from '../training/step.js';
import { TOKEN_LEVELS, TOKEN_STEPS, type ParityCase } from './cases.js';
import { maxAbs, PARITY_BOUND, referenceNet64, relError, TINY } from './compare.js';

const SEED = 9;
/** SGD with lr 1 in the step cases: the change of each weight is then −(clipped, decayed) gradient itself, large
 * enough against the float32 rounding of the weights (a 1-ulp difference of w is ~3e-8·|w|). */
const STEP_LR = 1;
const CLASSES = 10;

export interface Digits {
  x: Float32Array;
  y: Float32Array;
  count: number;
}

/** The first `count` training digits of the bundled MNIST split, scaled to [0, 1] (saturated pixels tie at 1). */
export function parityDigits(count: number): Digits {
  const train = loadMnist().train;
  const x = Float32Array.from(train.x.subarray(0, count * 784), (v) => v / 255);
  return { x, y: train.y.slice(0, count * CLASSES), count };
}

export interface NamedValues {
  name: string;
  values: Float32Array;
  /**
   * Zero in exact arithmetic (the bias of a linear layer right before a training-mode batch norm, which subtracts
   * the batch mean): what every backend computes is rounding noise, so it is compared with the exact 0, on the
   * scale of the named tensor (the same layer's kernel gradient), not with cpu's noise.
   */
  exactZeroOn?: string;
}

export interface TensorError {
  name: string;
  error: number;
  /** max |reference|: 0 means the comparison is vacuous (reported). */
  scale: number;
}

export interface ParityRow {
  case: string;
  group: ParityCase['group'];
  backend: BackendName;
  against: 'cpu' | 'float64';
  /** The largest per-tensor relative error. */
  error: number;
  worst: string;
  tensors: TensorError[];
  ms: number;
}

function configOf(c: ParityCase, batch: number): TrainingConfig {
  const parsed = parseTrainingConfig({ epochs: 1, batchSize: batch, seed: SEED, tricks: { sgd: { learningRate: STEP_LR }, ...c.tricks } });
  if (!parsed.ok) throw new Error(`${c.name}: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return parsed.value;
}

/** Weight labels that do not depend on how many models the process built before (tfjs numbers unnamed layers). */
function labelOf(originalName: string): string {
  // 'batch_normalization_BatchNormalization12/gamma' → 'batch_normalization/gamma'; 'layers.3_1/kernel' → 'layers.3/kernel'
  return originalName.replace(/_[A-Z][A-Za-z]*\d*\//, '/').replace(/_\d+\//, '/');
}

/**
 * The initial weights of a case, built once on the current backend from the seed; batch norm's moving statistics
 * are moved off their trivial start (mean 0, variance 1) so that inference mode is really tested.
 */
function initialWeights(c: ParityCase, batch: number): Float32Array[] {
  const config = configOf(c, batch);
  const head = prepareHead(expandSpec(c.spec, config));
  const model = buildModel(head.spec, { seed: SEED });
  try {
    const rng = createRng(SEED + 1);
    return model.weights.map((w) => {
      const values = Float32Array.from(w.read().dataSync());
      if (w.originalName.endsWith('moving_mean')) for (let i = 0; i < values.length; i++) values[i] = (rng() - 0.5) * 0.4;
      if (w.originalName.endsWith('moving_variance')) for (let i = 0; i < values.length; i++) values[i] = 0.5 + rng();
      return values;
    });
  } finally {
    model.dispose();
  }
}

/** The digits as token ids: each 4×4 block's mean ink in TOKEN_LEVELS levels, 49 per digit (real data, integer ids). */
export function digitTokens(digits: Digits): Float32Array {
  const side = 28 / 4;
  const out = new Float32Array(digits.count * TOKEN_STEPS);
  for (let n = 0; n < digits.count; n++) {
    for (let by = 0; by < side; by++) {
      for (let bx = 0; bx < side; bx++) {
        let sum = 0;
        for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) sum += digits.x[n * 784 + (by * 4 + y) * 28 + bx * 4 + x]!;
        out[n * TOKEN_STEPS + by * side + bx] = Math.min(TOKEN_LEVELS - 1, Math.floor((sum / 16) * TOKEN_LEVELS));
      }
    }
  }
  return out;
}

/** One case on the current backend: forward output, loss, every gradient, batch-norm state, step deltas. */
async function runOnce(c: ParityCase, digits: Digits, initial: Float32Array[]): Promise<NamedValues[]> {
  const config = configOf(c, digits.count);
  const head = prepareHead(expandSpec(c.spec, config));
  const model = buildModel(head.spec, { seed: SEED });
  const hooks = new LoopTricks(config).createHooks({ index: 0 });
  const out: NamedValues[] = [];
  const read = async (name: string, t: tf.Tensor) => out.push({ name, values: Float32Array.from(await t.data()) });
  try {
    model.setWeights(model.weights.map((w, i) => tf.tensor(initial[i]!, w.shape as number[])));
    const trainable = model.trainableWeights.map((w) => ({ label: labelOf(w.originalName), v: (w as unknown as { read(): tf.Variable }).read() }));
    const kernels = trainable.filter((w) => w.label.endsWith('kernel')).map((w) => w.v);
    const exactZero = new Set([...(c.training === false ? [] : biasesBeforeBatchNorm(model)), ...declaredZeroGradients(model)]);
    const xs = c.input === 'tokens' ? tf.tensor(digitTokens(digits), [digits.count, TOKEN_STEPS]) : tf.tensor(digits.x, [digits.count, 28, 28, 1]);
    const ys = tf.tensor(digits.y, [digits.count, CLASSES]);
    let output: tf.Tensor | null = null;
    // Dropout draws its mask from Math.random (in JavaScript, then uploaded): the same seed gives every backend
    // the same mask.
    const { value, grads } = await withSeededMathRandom(SEED + 2, async () =>
      tf.variableGrads(() => {
        const y = model.apply(xs, { training: c.training ?? true }) as tf.Tensor;
        output = tf.keep(y);
        const loss = head.loss(ys, y);
        const penalties = model.calculateLosses() as tf.Scalar[];
        return (penalties.length ? tf.add(loss, tf.addN(penalties)) : loss) as tf.Scalar;
      }, trainable.map((w) => w.v)),
    );
    await read('output', output!);
    await read('loss', value);
    for (const w of trainable) {
      await read(`grad ${w.label}`, grads[w.v.name]!);
      if (exactZero.has(w.label)) out[out.length - 1]!.exactZeroOn = `grad ${w.label.replace(/bias$/, 'kernel')}`;
    }
    for (const w of model.nonTrainableWeights) await read(`state ${labelOf(w.originalName)}`, w.read());
    if (c.step) {
      const before = await Promise.all(trainable.map(async (w) => Float32Array.from(await w.v.data())));
      const norm = globalNorm(grads);
      applyUpdate(hooks, grads, norm, STEP_LR, kernels);
      norm.dispose();
      for (const [i, w] of trainable.entries()) {
        const after = await w.v.data();
        // The change in float64 (exact for two float32 values): what the step did, not the weight it started from.
        const step: NamedValues = { name: `step ${w.label}`, values: Float32Array.from(after, (a, j) => a - before[i]![j]!) };
        if (exactZero.has(w.label)) step.exactZeroOn = `step ${w.label.replace(/bias$/, 'kernel')}`;
        out.push(step);
      }
    }
    tf.dispose([xs, ys, value, output!, ...Object.values(grads)]);
  } finally {
    disposeHooks(hooks);
    model.dispose();
  }
  return out;
}

/** Labels of the weights whose gradient a layer type declares exactly zero (an attention's key bias). */
function declaredZeroGradients(model: tfl.LayersModel): string[] {
  return model.layers.flatMap((layer) => {
    const zero = tfjsClass(layer.getClassName())?.rules.zeroGradients ?? [];
    return layer.trainableWeights.filter((w) => zero.some((suffix) => w.originalName.endsWith(`/${suffix}`))).map((w) => labelOf(w.originalName));
  });
}

/** Labels of the biases of linear weighted layers (Dense, Conv2D, …) whose output goes straight into a BatchNormalization. */
function biasesBeforeBatchNorm(model: tfl.LayersModel): Set<string> {
  const out = new Set<string>();
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const from = (layer as unknown as { inboundNodes: Array<{ inboundLayers: tfl.layers.Layer[] }> }).inboundNodes[0]?.inboundLayers[0];
    if (!from || !holdsKernel(from)) continue;
    if ((from.getConfig() as { activation?: string }).activation !== 'linear') continue;
    for (const w of from.trainableWeights) if (w.originalName.endsWith('/bias')) out.add(labelOf(w.originalName));
  }
  return out;
}

function compare(got: NamedValues[], ref: Array<{ name: string; values: ArrayLike<number>; exactZeroOn?: string }>): TensorError[] {
  return ref.map((r, i) => {
    const g = got[i];
    if (!g || g.name !== r.name) return { name: r.name, error: Infinity, scale: maxAbs(r.values) };
    if (r.exactZeroOn) {
      const scale = maxAbs(ref.find((t) => t.name === r.exactZeroOn)?.values ?? []);
      return { name: `${r.name} (exactly 0)`, error: Math.max(maxAbs(g.values), maxAbs(r.values)) / Math.max(scale, TINY), scale };
    }
    return { name: r.name, error: relError(g.values, r.values), scale: maxAbs(r.values) };
  });
}

function row(c: ParityCase, backend: BackendName, against: ParityRow['against'], tensors: TensorError[], ms: number): ParityRow {
  let worst = tensors[0]!;
  for (const t of tensors) if (!(t.error <= worst.error)) worst = t;
  return { case: c.name, group: c.group, backend, against, error: worst.error, worst: worst.name, tensors, ms };
}

/** The float64 reference for the cases that have one, from the same weights and digits. */
function reference64(c: ParityCase, digits: Digits, initial: Float32Array[], labels: string[]): Array<{ name: string; values: ArrayLike<number> }> {
  const name = (i: number) => labels[i]!;
  const r =
    c.reference === 'conv'
      ? referenceNet64({
          x: digits.x,
          xShape: [digits.count, 28, 28, 1],
          labels: digits.y,
          classes: CLASSES,
          conv: {
            kernel: initial[0]!,
            kernelShape: [3, 3, 1, initial[1]!.length],
            bias: initial[1]!,
            strides: 2,
            padding: 'same',
            kernelName: name(0),
            biasName: name(1),
          },
          dense: { kernel: initial[2]!, bias: initial[3]!, kernelName: name(2), biasName: name(3) },
        })
      : referenceNet64({
          x: digits.x,
          xShape: [digits.count, 28, 28, 1],
          labels: digits.y,
          classes: CLASSES,
          dense: { kernel: initial[0]!, bias: initial[1]!, kernelName: name(0), biasName: name(1) },
        });
  return [
    { name: 'output', values: r.output },
    { name: 'loss', values: [r.loss] },
    ...labels.map((l) => ({ name: `grad ${l}`, values: r.grads[l]! })),
  ];
}

export interface ParityOptions {
  backends: BackendName[];
  cases: readonly ParityCase[];
  /** Digits per batch (default 16). */
  batch?: number;
  /** Called with each row as it is measured. */
  onRow?: (row: ParityRow) => void;
  /**
   * Called each time a backend has been made current, before a case runs on it (initBackend re-registers the
   * engine's kernels: tests swap tfjs's stock kernels back in here to prove the suite sees their errors).
   */
  onBackend?: (backend: BackendName) => void;
  /**
   * The kernels of the cpu reference: 'stock' (default) runs it with tfjs's own cpu kernels where the engine
   * registers its own (MaxPoolGrad, Conv2DBackpropFilter), so that a bug in a kernel the engine shares between cpu
   * and wasm cannot hide in the reference; 'engine' with the engine's (bit-identical, faster: tests/engine/kernels).
   */
  cpuKernels?: 'stock' | 'engine';
}

/** Runs `fn` with tfjs's own cpu kernels in place of the engine's, then puts the engine's back. */
async function withStockCpuKernels<T>(fn: () => Promise<T>): Promise<T> {
  try {
    for (const config of ENGINE_KERNELS) {
      // A stock cpu kernel known to be wrong (CPU_FIXES) would make the reference wrong: the engine's stays.
      if (config.backendName !== 'cpu' || CPU_FIXES.has(config.kernelName)) continue;
      const stock = stockKernel(config.kernelName, 'cpu');
      tf.unregisterKernel(config.kernelName, 'cpu');
      if (stock) tf.registerKernel(stock);
    }
    return await fn();
  } finally {
    registerEngineKernels();
  }
}

/** Every case on cpu, then on each other backend; rows compare each with cpu (and cpu with float64). */
export async function runParity(opts: ParityOptions): Promise<ParityRow[]> {
  const digits = parityDigits(opts.batch ?? 16);
  const rows: ParityRow[] = [];
  const add = (r: ParityRow) => {
    rows.push(r);
    opts.onRow?.(r);
  };
  for (const c of opts.cases) {
    await initBackend('cpu');
    opts.onBackend?.('cpu');
    const initial = initialWeights(c, digits.count);
    let t0 = performance.now();
    const cpu = await (opts.cpuKernels === 'engine' ? runOnce(c, digits, initial) : withStockCpuKernels(() => runOnce(c, digits, initial)));
    const cpuMs = performance.now() - t0;
    if (c.reference) {
      const labels = cpu.filter((t) => t.name.startsWith('grad ')).map((t) => t.name.slice(5));
      const ref = reference64(c, digits, initial, labels);
      add(row(c, 'cpu', 'float64', compare(cpu.slice(0, ref.length), ref), cpuMs));
    }
    for (const backend of opts.backends) {
      if (backend === 'cpu') continue;
      await initBackend(backend);
      opts.onBackend?.(backend);
      t0 = performance.now();
      const got = await runOnce(c, digits, initial);
      add(row(c, backend, 'cpu', compare(got, cpu), performance.now() - t0));
    }
  }
  await initBackend('cpu');
  return rows;
}

export function breaches(rows: readonly ParityRow[], bound = PARITY_BOUND): ParityRow[] {
  return rows.filter((r) => !(r.error <= bound));
}

const fmt = (e: number) => (e === 0 ? '0' : Number.isFinite(e) ? e.toExponential(1) : String(e));

/** The table: one line per case, one column per compared backend (and cpu against float64 where checked). */
export function formatTable(rows: readonly ParityRow[], bound = PARITY_BOUND): string {
  const columns = [...new Set(rows.map((r) => (r.against === 'float64' ? 'cpu vs f64' : r.backend)))];
  const cases = [...new Set(rows.map((r) => r.case))];
  const width = Math.max(4, ...cases.map((c) => c.length));
  const cells = cases.map((name) =>
    columns.map((col) => {
      const r = rows.find((x) => x.case === name && (col === 'cpu vs f64' ? x.against === 'float64' : x.backend === col && x.against === 'cpu'));
      if (!r) return '—';
      return `${fmt(r.error)}${r.error <= bound ? ' ✓' : ` ✗ ${r.worst}`}`;
    }),
  );
  const cell = Math.max(12, ...columns.map((c) => c.length), ...cells.flat().map((c) => c.length)) + 2;
  const lines = [
    `max relative error per tensor (max|a−ref| / max|ref|), bound ${bound.toExponential(0)}; worst tensor named when over`,
    `${'case'.padEnd(width)}  ${columns.map((c) => c.padEnd(cell)).join('')}`.trimEnd(),
  ];
  cases.forEach((name, i) => lines.push(`${name.padEnd(width)}  ${cells[i]!.map((c) => c.padEnd(cell)).join('')}`.trimEnd()));
  return lines.join('\n');
}
