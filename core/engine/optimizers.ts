// Turns the optimizer trick of a config into a tfjs optimizer, and changes its learning rate in the way
// each class actually honours (SGD and Momentum ignore `learningRate =`: see FINDINGS).
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingConfig } from '../../shared/index.js';
import { clipGradients, type NamedGrads } from './gradients.js';

export type OptimizerId = 'sgd' | 'momentum' | 'nesterov' | 'adagrad' | 'rmsprop' | 'adam';
const OPTIMIZER_IDS: readonly OptimizerId[] = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'];

export function optimizerOf(config: TrainingConfig): { id: OptimizerId; params: Record<string, number> } {
  const id = OPTIMIZER_IDS.find((o) => config.tricks[o]);
  if (!id) throw new Error('the config names no optimizer (parseTrainingConfig adds Adam by default)');
  return { id, params: config.tricks[id] as Record<string, number> };
}

export function baseLearningRate(config: TrainingConfig): number {
  return optimizerOf(config).params.learningRate!;
}

export function createOptimizer(config: TrainingConfig): tf.Optimizer {
  const { id, params: p } = optimizerOf(config);
  const lr = p.learningRate!;
  switch (id) {
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, p.momentum!, false);
    case 'nesterov':
      return tf.train.momentum(lr, p.momentum!, true);
    case 'adagrad':
      return tf.train.adagrad(lr, p.initialAccumulator!);
    case 'rmsprop':
      return tf.train.rmsprop(lr, p.rho!, p.momentum!, p.epsilon!, false);
    case 'adam':
      return tf.train.adam(lr, p.beta1!, p.beta2!, p.epsilon!);
  }
}

export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  // SGDOptimizer (and MomentumOptimizer, its subclass) caches lr in a scalar, so assignment is ignored and
  // setLearningRate is the way. (`instanceof` cannot tell them apart: tfjs's Optimizer overrides
  // Symbol.hasInstance to duck-type, so every optimizer is "an instance of" SGDOptimizer.)
  const sgdLike = optimizer as unknown as { setLearningRate?: (lr: number) => void };
  if (typeof sgdLike.setLearningRate === 'function') {
    sgdLike.setLearningRate(lr);
  } else {
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
  }
}

/**
 * One optimizer step as the loop takes it: set this step's learning rate, clip, apply decoupled weight
 * decay (AdamW: w ← w − lr·wd·w from the weights before the step; kernels only), then the optimizer's
 * update. `norm` is the global norm of `grads`. The caller keeps ownership of `grads`.
 */
export function applyUpdate(
  optimizer: tf.Optimizer,
  grads: NamedGrads,
  norm: tf.Scalar,
  config: TrainingConfig,
  lr: number,
  kernels: readonly tf.Variable[],
): void {
  setLearningRate(optimizer, lr);
  const clipped = clipGradients(grads, norm, config);
  if (config.tricks.weightDecay) {
    const shrink = 1 - lr * (config.tricks.weightDecay.rate as number);
    tf.tidy(() => kernels.forEach((k) => k.assign(tf.mul(k, shrink))));
  }
  optimizer.applyGradients(clipped);
  if (clipped !== grads) tf.dispose(Object.values(clipped));
}
