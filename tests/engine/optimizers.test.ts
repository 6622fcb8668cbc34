// One analytic step (or two) per optimizer, against values derived by hand from the update rules, with a
// constant gradient g = [0.5, 0.25] from w0 = [1, -2] (loss = g·w, so the gradient is exactly g).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrainingConfig, type TrainingConfig } from '../../shared/index.js';
import { clipGradients, globalNorm } from '../../core/engine/gradients.js';
import { applyUpdate, createOptimizer } from '../../core/engine/optimizers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function config(tricks: Record<string, unknown>, epochs = 10): TrainingConfig {
  const parsed = parseTrainingConfig({ epochs, batchSize: 4, seed: 1, tricks });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return parsed.value;
}

/** Runs `lrs.length` steps with the constant gradient and returns the weights after each. */
function steps(cfg: TrainingConfig, lrs: number[], asKernel = false): number[][] {
  const w = tf.variable(tf.tensor1d([1, -2]), true, `w${Math.random()}`);
  const optimizer = createOptimizer(cfg);
  const out: number[][] = [];
  for (const lr of lrs) {
    const grads = { [w.name]: tf.tensor1d([0.5, 0.25]) };
    const norm = globalNorm(grads);
    applyUpdate(optimizer, grads, norm, cfg, lr, asKernel ? [w] : []);
    tf.dispose([...Object.values(grads), norm]);
    out.push(Array.from(w.dataSync()));
  }
  optimizer.dispose();
  w.dispose();
  return out;
}

const close = (actual: number[][], expected: number[][], digits = 5) =>
  actual.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, digits)));

describe('optimizers take the steps their update rules say', () => {
  it('SGD: w − η·g, and honours a changed learning rate (tfjs ignores `learningRate =` for SGD)', () => {
    close(steps(config({ sgd: { learningRate: 0.1 } }), [0.1, 0.05]), [
      [0.95, -2.025],
      [0.925, -2.0375],
    ]);
  });

  it('momentum: v ← μv + g, w ← w − ηv', () => {
    close(steps(config({ momentum: { learningRate: 0.1, momentum: 0.9 } }), [0.1, 0.1]), [
      [0.95, -2.025],
      [0.855, -2.0725],
    ]);
  });

  it('Nesterov: v ← μv + g, w ← w − η(g + μv)', () => {
    close(steps(config({ nesterov: { learningRate: 0.1, momentum: 0.9 } }), [0.1, 0.1]), [
      [0.905, -2.0475],
      [0.7695, -2.11525],
    ]);
  });

  it('Adagrad: A ← A + g², w ← w − η·g/√A (A starts at 0.1)', () => {
    close(steps(config({ adagrad: { learningRate: 0.1, initialAccumulator: 0.1 } }), [0.1]), [[1 - 0.05 / Math.sqrt(0.35), -2 - 0.025 / Math.sqrt(0.1625)]]);
  });

  it('RMSProp: s ← ρs + (1−ρ)g², w ← w − η·g/√s', () => {
    // s = 0.1·g², so g/√s = √10 for both components.
    close(steps(config({ rmsprop: { learningRate: 0.01, rho: 0.9, momentum: 0, epsilon: 1e-7 } }), [0.01]), [[1 - 0.01 * Math.sqrt(10), -2 - 0.01 * Math.sqrt(10)]]);
  });

  it('Adam: bias-corrected moments make a constant gradient step by exactly η per weight', () => {
    close(steps(config({ adam: { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } }), [0.1, 0.1]), [
      [0.9, -2.1],
      [0.8, -2.2],
    ]);
  });

  it('Adam honours a changed learning rate too', () => {
    close(steps(config({ adam: { learningRate: 0.1 } }), [0.1, 0.01]), [
      [0.9, -2.1],
      [0.89, -2.11],
    ]);
  });

  it('AdamW: w ← w − η·wd·w − η·update, applied to kernels only', () => {
    const cfg = config({ adam: { learningRate: 0.1 }, weightDecay: { rate: 0.1 } });
    close(steps(cfg, [0.1], true), [[1 - 0.01 - 0.1, -2 + 0.02 - 0.1]]);
    close(steps(cfg, [0.1], false), [[0.9, -2.1]]);
  });
});

describe('gradient clipping', () => {
  const grads = () => ({ a: tf.tensor1d([3, 4]), b: tf.tensor1d([0]) });
  const run = (tricks: Record<string, unknown>) => {
    const g = grads();
    const norm = globalNorm(g);
    const clipped = clipGradients(g, norm, config(tricks));
    const out = { norm: norm.dataSync()[0], a: Array.from(clipped.a!.dataSync()), b: Array.from(clipped.b!.dataSync()) };
    tf.dispose([...Object.values(g), ...Object.values(clipped), norm]);
    return out;
  };

  it('by global norm θ scales every gradient by θ/‖g‖ only when ‖g‖ > θ', () => {
    expect(run({ clipNorm: { maxNorm: 1 } })).toMatchObject({ norm: 5, b: [0] });
    close([run({ clipNorm: { maxNorm: 1 } }).a], [[0.6, 0.8]]);
    close([run({ clipNorm: { maxNorm: 10 } }).a], [[3, 4]]);
  });

  it('by value clamps each component; with both, value clipping comes first', () => {
    close([run({ clipValue: { clipValue: 0.5 } }).a], [[0.5, 0.5]]);
    close([run({ clipValue: { clipValue: 3.5 }, clipNorm: { maxNorm: 1 } }).a], [[3 / Math.hypot(3, 3.5), 3.5 / Math.hypot(3, 3.5)]]);
  });
});
