// SGD with momentum: v ← μ·v + g, w ← w − η·v (PyTorch's form, dampening 0).
import * as tf from '@tensorflow/tfjs-core';
import { momentum as descriptor } from '../../../shared/tricks/defs/momentum.js';
import { defineLoopTrick } from './hook.js';
import { tfjsOptimizerHook } from './tfjs-optimizer.js';

export const momentum = defineLoopTrick({
  descriptor,
  stateIn: 'optimizer',
  baseLearningRate: (p) => p.learningRate,
  create: (p) => tfjsOptimizerHook(tf.train.momentum(p.learningRate, p.momentum, false)),
});
