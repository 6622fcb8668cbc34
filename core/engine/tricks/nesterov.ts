// Nesterov momentum: v ← μ·v + g, w ← w − η·(g + μ·v) (PyTorch's form).
import * as tf from '@tensorflow/tfjs-core';
import { nesterov as descriptor } from '../../../shared/tricks/defs/nesterov.js';
import { defineLoopTrick } from './hook.js';
import { tfjsOptimizerHook } from './tfjs-optimizer.js';

export const nesterov = defineLoopTrick({
  descriptor,
  stateIn: 'optimizer',
  baseLearningRate: (p) => p.learningRate,
  create: (p) => tfjsOptimizerHook(tf.train.momentum(p.learningRate, p.momentum, true)),
});
