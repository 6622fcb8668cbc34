// The optimizers tfjs implements as PyTorch and Keras define them (SGD, momentum, Nesterov, Adagrad, Adam),
// wrapped as the update hook of their trick, with their state as a resumable hook state.
import * as tf from '@tensorflow/tfjs-core';
import type { HookState, NamedGrads, TrickHook } from './hook.js';

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
 * State that tfjs optimizers keep outside getWeights(): Adam's running β1^t and β2^t are products
 * accumulated step by step, while setWeights recomputes them as powers, which differ in the last bits.
 * Saving them makes a resumed run bit-identical to an uninterrupted one.
 */
function hiddenState(optimizer: tf.Optimizer): Map<string, tf.Variable> {
  const found = new Map<string, tf.Variable>();
  for (const key of ['accBeta1', 'accBeta2']) {
    const value = (optimizer as unknown as Record<string, unknown>)[key];
    if (value instanceof tf.Variable) found.set(key, value);
  }
  return found;
}

/**
 * The state is tfjs's own getWeights() list as `o0, o1, …` (o0 is the iteration count) plus the hidden
 * variables as `x/<name>`: the layout format-1 checkpoints used, so both formats load the same way.
 */
export function tfjsOptimizerHook(optimizer: tf.Optimizer): TrickHook {
  return {
    update(grads: NamedGrads, learningRate: number) {
      setLearningRate(optimizer, learningRate);
      optimizer.applyGradients(grads);
    },
    async saveState(): Promise<HookState> {
      const weights = await optimizer.getWeights();
      const tensors: Record<string, tf.Tensor> = {};
      weights.forEach(({ tensor }, i) => (tensors[`o${i}`] = tensor));
      for (const [key, variable] of hiddenState(optimizer)) tensors[`x/${key}`] = variable;
      // getWeights() makes a new scalar for the iteration count (o0) at every call; the rest are its variables.
      return { tensors, release: () => tensors.o0?.dispose() };
    },
    async loadState(state: HookState) {
      const given = state.tensors ?? {};
      const list: Array<{ name: string; tensor: tf.Tensor }> = [];
      for (let i = 0; `o${i}` in given; i++) list.push({ name: `o${i}`, tensor: given[`o${i}`]! });
      if (list.length) await optimizer.setWeights(list);
      const hidden = hiddenState(optimizer);
      for (const [key, tensor] of Object.entries(given)) if (key.startsWith('x/')) hidden.get(key.slice(2))?.assign(tensor);
      // setWeights and assign keep their own references to the data: the given tensors are ours to free.
      tf.dispose(Object.values(given));
    },
    dispose() {
      optimizer.dispose();
    },
  };
}
