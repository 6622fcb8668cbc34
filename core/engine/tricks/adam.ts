// Adam with bias-corrected moments: w ← w − η·m̂/(√v̂ + ε), as PyTorch and Keras define it.
import * as tf from '@tensorflow/tfjs-core';
import { adam as descriptor } from '../../../shared/tricks/defs/adam.js';
import { defineLoopTrick } from './hook.js';
import { tfjsOptimizerHook } from './tfjs-optimizer.js';

export const adam = defineLoopTrick({
  descriptor,
  stateIn: 'optimizer',
  baseLearningRate: (p) => p.learningRate,
  create: (p) => tfjsOptimizerHook(tf.train.adam(p.learningRate, p.beta1, p.beta2, p.epsilon)),
});
