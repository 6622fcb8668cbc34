// Clipping by value: every gradient component clamped to [-c, c].
import * as tf from '@tensorflow/tfjs-core';
import { clipValue as descriptor } from '../../../shared/tricks/defs/clip-value.js';
import { defineLoopTrick } from './hook.js';

export const clipValue = defineLoopTrick({
  descriptor,
  create: (p) => ({
    afterGradients: ({ grads }) =>
      Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.clipByValue(g, -p.clipValue, p.clipValue)])),
  }),
});
