// RMSProp as PyTorch defines it (torch.optim.RMSprop):
//   s ← ρ·s + (1−ρ)·g²;  centered: m ← ρ·m + (1−ρ)·g, s̃ = s − m², else s̃ = s
//   d = √s̃ + ε;  momentum μ > 0: b ← μ·b + g/d, w ← w − η·b;  else w ← w − η·g/d
// tfjs (and Keras 3) put ε inside the root, √(s + ε), and fold η into the buffer, b ← μ·b + η·g/√(s + ε): with
// ε = 1e-7 the root is at least 3.2e-4, so weights with tiny gradients moved 0.03–0.30× PyTorch's step.
import * as tf from '@tensorflow/tfjs-core';
import { rmsprop as descriptor } from '../../../shared/tricks/defs/rmsprop.js';
import { defineLoopTrick, type HookState, type LoadContext, type NamedGrads, type TrickHook } from './hook.js';

interface Params {
  rho: number;
  momentum: number;
  epsilon: number;
  centered: boolean;
}

interface Slots {
  square: tf.Variable;
  buffer?: tf.Variable;
  mean?: tf.Variable;
}

/** The state's layout marker: format-1 checkpoints hold tfjs's RMSProp state instead (see loadState). */
const LAYOUT = 'pytorch';

function rmspropHook(p: Params): TrickHook {
  // Per trainable variable, in the order the loop passes gradients (the model's trainable weights).
  let slots: Slots[] = [];
  const zeros = (like: tf.Tensor) => tf.tidy(() => tf.variable(tf.zerosLike(like), false));
  const slotsFor = (i: number, like: tf.Tensor): Slots =>
    (slots[i] ??= {
      square: zeros(like),
      buffer: p.momentum > 0 ? zeros(like) : undefined,
      mean: p.centered ? zeros(like) : undefined,
    });

  return {
    update(grads: NamedGrads, learningRate: number) {
      Object.entries(grads).forEach(([name, g], i) => {
        const w = tf.engine().registeredVariables[name]!;
        const s = slotsFor(i, w);
        tf.tidy(() => {
          const square = tf.add(tf.mul(s.square, p.rho), tf.mul(tf.square(g), 1 - p.rho));
          s.square.assign(square);
          let spread: tf.Tensor = square;
          if (s.mean) {
            const mean = tf.add(tf.mul(s.mean, p.rho), tf.mul(g, 1 - p.rho));
            s.mean.assign(mean);
            // ≥ 0 in exact arithmetic; rounding must not make the root NaN.
            spread = tf.relu(tf.sub(square, tf.square(mean)));
          }
          const direction = tf.div(g, tf.add(tf.sqrt(spread), p.epsilon));
          if (s.buffer) {
            const buffer = tf.add(tf.mul(s.buffer, p.momentum), direction);
            s.buffer.assign(buffer);
            w.assign(tf.sub(w, tf.mul(buffer, learningRate)));
          } else {
            w.assign(tf.sub(w, tf.mul(direction, learningRate)));
          }
        });
      });
    },
    saveState(): HookState {
      const tensors: Record<string, tf.Tensor> = {};
      slots.forEach((s, i) => {
        tensors[`square${i}`] = s.square;
        if (s.buffer) tensors[`buffer${i}`] = s.buffer;
        if (s.mean) tensors[`mean${i}`] = s.mean;
      });
      return { data: { layout: LAYOUT }, tensors };
    },
    loadState(state: HookState, from: LoadContext) {
      const given = state.tensors ?? {};
      disposeSlots();
      if ((state.data as { layout?: string } | undefined)?.layout === LAYOUT) {
        for (let i = 0; `square${i}` in given; i++) {
          const square = given[`square${i}`]!;
          const kept = (t: tf.Tensor | undefined) => (t ? tf.variable(t, false) : zeros(square));
          slots.push({
            square: tf.variable(square, false),
            buffer: p.momentum > 0 ? kept(given[`buffer${i}`]) : undefined,
            mean: p.centered ? kept(given[`mean${i}`]) : undefined,
          });
        }
      } else {
        // tfjs's RMSProp (format-1 checkpoints): o0 is the iteration count, then n mean squares, then n
        // buffers that hold η·b (η folded in). The mean squares carry over exactly; the buffers are divided by
        // the learning rate of the step before the checkpoint.
        const n = Math.floor((Object.keys(given).filter((k) => /^o\d+$/.test(k)).length - 1) / 2);
        for (let i = 0; i < n; i++) {
          const square = given[`o${1 + i}`]!;
          const folded = given[`o${1 + n + i}`]!;
          slots.push({
            square: tf.variable(square, false),
            buffer: p.momentum > 0 ? tf.tidy(() => tf.variable(tf.div(folded, from.learningRate), false)) : undefined,
            mean: p.centered ? zeros(square) : undefined,
          });
        }
      }
      // The variables hold their own references to the data.
      tf.dispose(Object.values(given));
    },
    dispose: disposeSlots,
  };

  function disposeSlots() {
    for (const s of slots) tf.dispose([s.square, ...(s.buffer ? [s.buffer] : []), ...(s.mean ? [s.mean] : [])]);
    slots = [];
  }
}

export const rmsprop = defineLoopTrick({
  descriptor,
  stateIn: 'optimizer',
  baseLearningRate: (p) => p.learningRate,
  create: (p) => rmspropHook(p),
});
