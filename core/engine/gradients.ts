// The global norm of a set of gradients: what clipping by norm compares with θ, and what the run view plots.
import * as tf from '@tensorflow/tfjs-core';
import type { NamedGrads } from './tricks/hook.js';

export type { NamedGrads };

export function globalNorm(grads: NamedGrads): tf.Scalar {
  return tf.tidy(() => {
    const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(squares)) as tf.Scalar;
  });
}
