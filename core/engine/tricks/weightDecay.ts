// Decoupled weight decay (AdamW): at every step each kernel is also shrunk by (1 − η·rate), from the weights
// before the optimizer's update, the order of PyTorch's AdamW and of Loshchilov & Hutter's algorithm.
import * as tf from '@tensorflow/tfjs-core';
import { weightDecay as descriptor } from '../../../shared/tricks/defs/weight-decay.js';
import { defineLoopTrick } from './hook.js';

export const weightDecay = defineLoopTrick({
  descriptor,
  create: (p) => ({
    beforeUpdate: ({ learningRate, kernels }) => {
      const shrink = 1 - learningRate * p.rate;
      tf.tidy(() => kernels.forEach((k) => k.assign(tf.mul(k, shrink))));
    },
  }),
});
