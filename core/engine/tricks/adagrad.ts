// Adagrad: A ← A + g², w ← w − η·g/√(A + ε), A starting at the initial accumulator and ε the backend's
// epsilon (1e-7 on cpu and wasm): Keras's form.
import * as tf from '@tensorflow/tfjs-core';
import { adagrad as descriptor } from '../../../shared/tricks/defs/adagrad.js';
import { defineLoopTrick } from './hook.js';
import { tfjsOptimizerHook } from './tfjs-optimizer.js';

export const adagrad = defineLoopTrick({
  descriptor,
  stateIn: 'optimizer',
  baseLearningRate: (p) => p.learningRate,
  create: (p) => tfjsOptimizerHook(tf.train.adagrad(p.learningRate, p.initialAccumulator)),
});
