// The optimizer step as the loop takes it (training/step.ts applyUpdate with the config's trick hooks), against
// values derived by hand from the update rules. Most cases use a constant gradient g = [0.5, 0.25] from
// w0 = [1, -2]; RMSProp is also checked over several steps of changing gradients against a float64 transcription
// of PyTorch's torch.optim.RMSprop.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrainingConfig, type TrainingConfig } from '../../shared/index.js';
import { globalNorm } from '../../core/engine/gradients.js';
import { disposeHooks, LoopTricks } from '../../core/engine/tricks/registry.js';
import { applyUpdate } from '../../core/engine/training/step.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function config(tricks: Record<string, unknown>, epochs = 10): TrainingConfig {
  const parsed = parseTrainingConfig({ epochs, batchSize: 4, seed: 1, tricks });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return parsed.value;
}

/** Takes one step per entry of `gradients` (each with its learning rate) and returns the weights after each. */
function run(cfg: TrainingConfig, w0: number[], gradients: Array<{ g: number[]; lr: number }>, asKernel = false): number[][] {
  const w = tf.variable(tf.tensor1d(w0));
  const hooks = new LoopTricks(cfg).createHooks({ index: 0 });
  const out: number[][] = [];
  for (const { g, lr } of gradients) {
    const grads = { [w.name]: tf.tensor1d(g) };
    const norm = globalNorm(grads);
    applyUpdate(hooks, grads, norm, lr, asKernel ? [w] : []);
    tf.dispose([...Object.values(grads), norm]);
    out.push(Array.from(w.dataSync()));
  }
  disposeHooks(hooks);
  w.dispose();
  return out;
}

const steps = (cfg: TrainingConfig, lrs: number[], asKernel = false) =>
  run(cfg, [1, -2], lrs.map((lr) => ({ g: [0.5, 0.25], lr })), asKernel);

const close = (actual: number[][], expected: number[][], digits = 5) =>
  actual.forEach((row, i) => row.forEach((v, j) => expect(v, `step ${i}, weight ${j}`).toBeCloseTo(expected[i]![j]!, digits)));

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

  it('AdamW: w ← w·(1 − η·wd) − η·update, the decay from the weights before the step, on kernels only', () => {
    const cfg = config({ adam: { learningRate: 0.1 }, weightDecay: { rate: 0.1 } });
    // Decay after the step would give (1 − 0.1)·0.99 = 0.891 and (−2 − 0.1)·0.99 = −2.079.
    close(steps(cfg, [0.1], true), [[1 - 0.01 - 0.1, -2 + 0.02 - 0.1]]);
    close(steps(cfg, [0.1], false), [[0.9, -2.1]]);
  });
});

/** torch.optim.RMSprop's update (alpha = ρ, no weight decay), in float64. */
function rmspropReference(p: { rho: number; momentum: number; epsilon: number; centered: boolean }, w0: number[], gradients: Array<{ g: number[]; lr: number }>): number[][] {
  const w = [...w0];
  const square = w.map(() => 0);
  const mean = w.map(() => 0);
  const buffer = w.map(() => 0);
  return gradients.map(({ g, lr }) => {
    for (let i = 0; i < w.length; i++) {
      square[i] = p.rho * square[i]! + (1 - p.rho) * g[i]! ** 2;
      let avg = square[i]!;
      if (p.centered) {
        mean[i] = p.rho * mean[i]! + (1 - p.rho) * g[i]!;
        avg -= mean[i]! ** 2;
      }
      const denominator = Math.sqrt(avg) + p.epsilon;
      if (p.momentum > 0) {
        buffer[i] = p.momentum * buffer[i]! + g[i]! / denominator;
        w[i]! -= lr * buffer[i]!;
      } else {
        w[i]! -= (lr * g[i]!) / denominator;
      }
    }
    return [...w];
  });
}

describe('RMSProp as PyTorch defines it', () => {
  // Six steps of changing gradients, a learning-rate change half-way, and two weights whose gradients are tiny
  // (1e-5, 3e-6): there tfjs's √(s + ε) with ε inside the root took steps 0.01–0.03× PyTorch's.
  const w0 = [1, -2, 0.5, 0.1];
  const gradients = [0, 1, 2, 3, 4, 5].map((t) => ({
    g: [0.5 * (1 + 0.3 * t), -0.25 * (t % 2 ? -1 : 1), 1e-5 * (1 + t), 3e-6 * (t % 3 === 2 ? -1 : 1)],
    lr: t < 3 ? 0.01 : 0.004,
  }));
  const check = (params: { rho: number; momentum: number; epsilon: number; centered: boolean }) => {
    const got = run(config({ rmsprop: { learningRate: 0.01, ...params } }), w0, gradients);
    const want = rmspropReference(params, w0, gradients);
    // Compared as each weight's total change, relative to its size (float32 weights).
    got.forEach((row, s) =>
      row.forEach((v, i) => {
        const change = want[s]![i]! - w0[i]!;
        expect(Math.abs(v - w0[i]! - change), `step ${s}, weight ${i}: ${v - w0[i]!} vs ${change}`).toBeLessThanOrEqual(2e-5 * Math.abs(change) + 1e-7);
      }),
    );
    return got;
  };

  it('without momentum: s ← ρs + (1−ρ)g², w ← w − η·g/(√s + ε)', () => {
    const got = check({ rho: 0.9, momentum: 0, epsilon: 1e-8, centered: false });
    // By hand, the first step: s = 0.1·g², so every weight moves by η·g/(√0.1·|g| + ε) ≈ η·√10 against its sign.
    close([got[0]!], [[1 - 0.01 * Math.sqrt(10), -2 + 0.01 * Math.sqrt(10), 0.5 - (0.01 * 1e-5) / (Math.sqrt(0.1) * 1e-5 + 1e-8), 0.1 - (0.01 * 3e-6) / (Math.sqrt(0.1) * 3e-6 + 1e-8)]], 6);
    // The tiny-gradient weight moved ~3.1·η, not the 0.03·η of ε inside the root.
    expect((0.5 - got[0]![2]!) / 0.01).toBeGreaterThan(3);
  });

  it('with momentum: b ← μb + g/(√s + ε), w ← w − η·b (η multiplies the buffer when it changes)', () => {
    check({ rho: 0.9, momentum: 0.9, epsilon: 1e-8, centered: false });
  });

  it('centered: divides by √(s − m²) + ε, m the moving mean of the gradients', () => {
    check({ rho: 0.8, momentum: 0.5, epsilon: 1e-8, centered: true });
    check({ rho: 0.9, momentum: 0, epsilon: 1e-6, centered: true });
  });

  it('its defaults are PyTorch\'s: ρ 0.9, ε 1e-8, no momentum, not centered', () => {
    expect(config({ rmsprop: {} }).tricks.rmsprop).toEqual({ learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-8, centered: false });
  });
});

describe('gradient clipping, as applied by the step', () => {
  /** The gradient SGD with η = 1 applies from zero weights: −Δw. */
  const applied = (tricks: Record<string, unknown>) => {
    const [after] = run(config({ sgd: { learningRate: 1 }, ...tricks }), [0, 0, 0], [{ g: [3, 4, 0], lr: 1 }]);
    return [after!.map((v) => -v)];
  };

  it('by global norm θ scales every gradient by θ/‖g‖ only when ‖g‖ > θ', () => {
    close(applied({ clipNorm: { maxNorm: 1 } }), [[0.6, 0.8, 0]]);
    close(applied({ clipNorm: { maxNorm: 10 } }), [[3, 4, 0]]);
  });

  it('by value clamps each component; with both, value clipping comes first', () => {
    close(applied({ clipValue: { clipValue: 0.5 } }), [[0.5, 0.5, 0]]);
    close(applied({ clipValue: { clipValue: 3.5 }, clipNorm: { maxNorm: 1 } }), [[3 / Math.hypot(3, 3.5), 3.5 / Math.hypot(3, 3.5), 0]]);
  });
});
