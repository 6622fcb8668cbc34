// Gradient post-processing between backprop and the optimizer step: clipping by value, then by global
// norm θ. The global norm (before clipping) is also what the run view plots.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingConfig } from '../../shared/index.js';

export type NamedGrads = Record<string, tf.Tensor>;

export function globalNorm(grads: NamedGrads): tf.Scalar {
  return tf.tidy(() => {
    const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(squares)) as tf.Scalar;
  });
}

/** Returns new gradient tensors (the caller disposes the originals). */
export function clipGradients(grads: NamedGrads, norm: tf.Scalar, config: TrainingConfig): NamedGrads {
  const t = config.tricks;
  if (!t.clipValue && !t.clipNorm) return grads;
  return tf.tidy(() => {
    let out: NamedGrads = grads;
    if (t.clipValue) {
      const c = t.clipValue.clipValue as number;
      out = Object.fromEntries(Object.entries(out).map(([k, g]) => [k, tf.clipByValue(g, -c, c)]));
    }
    if (t.clipNorm) {
      const theta = t.clipNorm.maxNorm as number;
      // Clip on the norm of what is actually applied (after value clipping, if both are on).
      const current = t.clipValue ? globalNorm(out) : norm;
      const factor = tf.minimum(tf.scalar(1), tf.div(theta, tf.maximum(current, 1e-12)));
      out = Object.fromEntries(Object.entries(out).map(([k, g]) => [k, tf.mul(g, factor)]));
    }
    return out;
  });
}
