// The fused batch-norm path on wasm (core/engine/kernels/batch-norm.ts: LayerwiseBatchNormTrain/Grad and the
// FusedBatchNorm override) against tfjs-layers' own BatchNormalization on the cpu backend: the training output, the
// batch statistics through the moving mean and variance, and the gradients of x, γ and β, on odd shapes, batch 1,
// ties, negative and zero inputs. The fused path must really run (its kernels are counted), so a silent fallback
// fails here.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { batchNormalization, FastBatchNormalization, loadSimdKernels, registerEngineKernels } from '../../core/engine/kernels/index.js';
import { BATCH_NORM_GRAD, BATCH_NORM_TRAIN, FUSED_BATCH_NORM_GRAD } from '../../core/engine/kernels/batch-norm.js';
import { countingKernels as counting, random, relError } from './support/kernels.js';

interface Result {
  y: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
  dx: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
  infer: Float32Array;
}

/** One training call (output, moving statistics) and its gradients, then one inference call, on `backend`. */
async function runLayer(
  backend: string,
  make: () => tfl.layers.Layer,
  x: Float32Array,
  shape: number[],
  dyValues: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
): Promise<Result> {
  await tf.setBackend(backend);
  const layer = make();
  const c = shape[shape.length - 1]!;
  layer.build(shape);
  layer.setWeights([tf.tensor(gamma), tf.tensor(beta), tf.fill([c], 0.25), tf.fill([c], 2)]);
  const xs = tf.tensor(x, shape);
  const dy = tf.tensor(dyValues, shape);
  const [gammaVar, betaVar] = layer.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
  let y!: Float32Array;
  const { grads } = tf.tidy(() =>
    tf.variableGrads(() => {
      const out = layer.apply(xs, { training: true }) as tf.Tensor;
      y = out.dataSync() as Float32Array;
      return tf.sum(tf.mul(out, dy));
    }, [gammaVar!, betaVar!]),
  );
  // dL/dx through a second, identical call (variableGrads gives only the variables' gradients).
  const dx = tf.tidy(() => tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, dy)))(xs));
  const weights = layer.getWeights();
  const infer = tf.tidy(() => (layer.apply(xs, { training: false }) as tf.Tensor).dataSync() as Float32Array);
  const result: Result = {
    y: Float32Array.from(y),
    movingMean: Float32Array.from(weights[2]!.dataSync()),
    movingVariance: Float32Array.from(weights[3]!.dataSync()),
    dx: Float32Array.from(dx.dataSync()),
    dGamma: Float32Array.from(grads[gammaVar!.name]!.dataSync()),
    dBeta: Float32Array.from(grads[betaVar!.name]!.dataSync()),
    infer: Float32Array.from(infer),
  };
  tf.dispose([xs, dy, dx, ...Object.values(grads)]);
  for (const w of layer.weights) w.dispose();
  return result;
}

beforeAll(async () => {
  registerEngineKernels();
  await initBackend('cpu');
  await initBackend('wasm');
  await loadSimdKernels();
});

describe('batch norm, fused on wasm, against tfjs-layers on cpu', () => {
  const cases: Array<{ shape: number[]; what: string; x?: (n: number) => Float32Array }> = [
    { shape: [8, 13, 13, 8], what: 'a conv activation, 8 channels (the register-resident case)' },
    { shape: [4, 11, 11, 16], what: '16 channels' },
    { shape: [1, 5, 7, 3], what: 'batch 1, 3 channels (the scalar tail)' },
    { shape: [3, 6, 5, 13], what: '13 channels: 8 + 4 + 1' },
    { shape: [256, 64], what: 'a dense layer, batch 256' },
    { shape: [1, 10], what: 'a dense layer, batch 1 (zero variance)' },
    { shape: [7, 9], what: 'ties, zeros and negatives', x: (n) => random(n, 9, -3, 3).map((v) => Math.round(v)) },
    { shape: [5, 4, 4, 4], what: 'a large offset (mean ≫ spread)', x: (n) => random(n, 4, 99, 101) },
  ];
  for (const { shape, what, x } of cases) {
    it(`[${shape.join(', ')}]: ${what}`, async () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const c = shape[shape.length - 1]!;
      const xs = x ? x(n) : random(n, 3, -2, 3);
      const dy = random(n, 17);
      const gamma = random(c, 5, 0.5, 1.5);
      const beta = random(c, 6);
      const cpu = await runLayer('cpu', () => tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 }), xs, shape, dy, gamma, beta);
      const { result: wasm, calls } = await counting([BATCH_NORM_TRAIN, BATCH_NORM_GRAD, 'FusedBatchNorm'], () =>
        runLayer('wasm', () => batchNormalization({ momentum: 0.9, epsilon: 1e-3 }), xs, shape, dy, gamma, beta),
      );
      // Two training calls (the second for dx), one backward each, one inference pass.
      expect(calls).toEqual({ [BATCH_NORM_TRAIN]: 2, [BATCH_NORM_GRAD]: 2, FusedBatchNorm: 1 });
      const rows = n / c;
      for (const key of Object.keys(cpu) as Array<keyof Result>) {
        if (key === 'dx' && rows === 1) {
          // One row: x − μ = 0 and dy − mean(dy) = 0, so dx is exactly 0; ours gives 0, the cpu chain rounding noise
          // far below the scale of its terms (γ·dy/√ε).
          expect(Array.from(wasm.dx).every((v) => v === 0)).toBe(true);
          expect(Math.max(...cpu.dx.map(Math.abs))).toBeLessThan(1e-5 * Math.max(...gamma) * Math.max(...dy.map(Math.abs)) / Math.sqrt(1e-3));
          continue;
        }
        expect(relError(wasm[key], cpu[key]), key).toBeLessThan(1e-5);
      }
    });
  }

  for (const { shape, what } of [
    { shape: [8, 26, 26, 8], what: 'the CNN\'s conv1 (8 channels)' },
    { shape: [3, 5, 7, 13], what: '13 channels, odd rows' },
    { shape: [1, 10], what: 'a dense layer, batch 1' },
  ]) {
    it(`FusedBatchNorm's gradient with given mean and variance (inference mode) [${shape.join(', ')}]: ${what}`, async () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const c = shape[shape.length - 1]!;
      const values = { x: random(n, 1, -2, 3), dy: random(n, 2), mean: random(c, 3), variance: random(c, 4, 0.1, 2), offset: random(c, 5), scale: random(c, 6, 0.5, 1.5) };
      const grads = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const t = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tf.tensor(v, k === 'x' || k === 'dy' ? shape : [c])]));
          // (tfjs's batchNorm cannot record gradients without a scale: its gradient saves the missing tensor.)
          const f = (x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, offset: tf.Tensor, scale: tf.Tensor) =>
            tf.sum(tf.mul(tf.batchNorm(x, mean, variance, offset, scale, 1e-3), t.dy!));
          const inputs = [t.x!, t.mean!, t.variance!, t.offset!, t.scale!];
          return tf.grads(f as (...a: tf.Tensor[]) => tf.Tensor)(inputs).map((g) => Float32Array.from(g.dataSync()));
        });
      };
      const cpu = await grads('cpu');
      const { result: wasm, calls } = await counting([FUSED_BATCH_NORM_GRAD], () => grads('wasm'));
      expect(calls[FUSED_BATCH_NORM_GRAD]).toBe(1);
      const names = ['x', 'mean', 'variance', 'offset', 'scale'];
      cpu.forEach((g, i) => expect(relError(wasm[i]!, g), names[i]).toBeLessThan(1e-5));
    });
  }

  it('falls back to tfjs-layers\' own path on cpu, and keeps the class name (exports unchanged)', async () => {
    await tf.setBackend('cpu');
    const layer = batchNormalization({});
    expect(layer).toBeInstanceOf(FastBatchNormalization);
    expect(layer.getClassName()).toBe('BatchNormalization');
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [3] }), layer] });
    const config = model.toJSON(null, false) as unknown as { config: { layers: Array<{ class_name: string }> } };
    expect(config.config.layers.map((l) => l.class_name)).toEqual(['Dense', 'BatchNormalization']);
    const { calls } = await counting([BATCH_NORM_TRAIN], async () =>
      tf.tidy(() => (model.apply(tf.ones([2, 3]), { training: true }) as tf.Tensor).dataSync()),
    );
    expect(calls[BATCH_NORM_TRAIN]).toBe(0);
    model.dispose();
  });

  it('leaves no tensors behind in training (forward, backward, moving statistics)', async () => {
    await tf.setBackend('wasm');
    const layer = batchNormalization({});
    layer.build([4, 5, 5, 8]);
    const xs = tf.tensor(random(800, 2), [4, 5, 5, 8]);
    const vars = layer.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(xs, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    xs.dispose();
    for (const w of layer.weights) w.dispose();
  });
});
