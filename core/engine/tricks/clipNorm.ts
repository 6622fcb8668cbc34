// Clipping by global norm θ: when ‖g‖ over all gradients together exceeds θ, every gradient is scaled by
// θ/‖g‖. It runs after value clipping (registry order), on the norm of what is actually applied.
import * as tf from '@tensorflow/tfjs-core';
import { clipNorm as descriptor } from '../../../shared/tricks/defs/clip-norm.js';
import { globalNorm } from '../gradients.js';
import { defineLoopTrick } from './hook.js';

export const clipNorm = defineLoopTrick({
  descriptor,
  create: (p) => ({
    afterGradients: ({ grads, norm }) => {
      const factor = tf.tidy(() => {
        const current = norm ?? globalNorm(grads);
        return tf.minimum(tf.scalar(1), tf.div(p.maxNorm, tf.maximum(current, 1e-12)));
      });
      const out = Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.mul(g, factor)]));
      factor.dispose();
      return out;
    },
  }),
});
