// Plain SGD: w ← w − η·g.
import * as tf from '@tensorflow/tfjs-core';
import { sgd as descriptor } from '../../../shared/tricks/defs/sgd.js';
import { defineLoopTrick } from './hook.js';
import { tfjsOptimizerHook } from './tfjs-optimizer.js';

export const sgd = defineLoopTrick({
  descriptor,
  stateIn: 'optimizer',
  baseLearningRate: (p) => p.learningRate,
  create: (p) => tfjsOptimizerHook(tf.train.sgd(p.learningRate)),
});
