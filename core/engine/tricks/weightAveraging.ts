// Weight averaging (SWA): the running mean of the weights at the end of each of the last k epochs; at the end
// of training it replaces the weights, and batch-norm statistics are recomputed for it.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { weightAveraging as descriptor } from '../../../shared/tricks/defs/weight-averaging.js';
import type { ParamsOf } from '../../../shared/index.js';
import { defineLoopTrick, type FinishContext, type HookState, type TrickHook } from './hook.js';

function weightAveragingHook(p: ParamsOf<typeof descriptor>): TrickHook {
  let count = 0;
  let average: tf.Tensor[] | null = null;
  const drop = () => {
    tf.dispose(average ?? []);
    average = null;
  };
  return {
    onEpochEnd({ epoch, epochs, model }) {
      if (epoch < epochs - p.lastEpochs) return;
      const weights = model.getWeights();
      const previous = average;
      const next = tf.tidy(() => weights.map((w, i) => (previous ? tf.add(previous[i]!, tf.div(tf.sub(w, previous[i]!), count + 1)) : tf.clone(w))));
      drop();
      average = next;
      count += 1;
    },
    onFinish(ctx) {
      if (!average || count < 2) return null;
      ctx.model.setWeights(average);
      recomputeBatchNorm(ctx);
      return { weights: 'averaged' };
    },
    saveState(): HookState {
      const tensors: Record<string, tf.Tensor> = {};
      average?.forEach((t, i) => (tensors[`average${i}`] = t));
      return { data: { count }, tensors };
    },
    loadState(state: HookState) {
      count = (state.data as { count: number }).count;
      drop();
      const given = state.tensors ?? {};
      const list: tf.Tensor[] = [];
      for (let i = 0; `average${i}` in given; i++) list.push(given[`average${i}`]!);
      average = count && list.length ? list : null;
    },
    dispose: drop,
  };
}

/**
 * Averaged weights need batch-norm statistics of their own: reset the moving mean/variance and run the
 * training data through once with momentum 1 − 1/i, which makes the moving values exact running means.
 */
function recomputeBatchNorm({ model, forEachTrainingBatch }: FinishContext): void {
  const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization') as Array<tfl.layers.Layer & { momentum: number }>;
  if (!bns.length) return;
  const saved = bns.map((l) => l.momentum);
  for (const layer of bns) {
    const names = layer.weights.map((w) => w.originalName);
    tf.tidy(() =>
      layer.setWeights(
        layer
          .getWeights()
          .map((w, i) => (names[i]!.endsWith('moving_mean') ? tf.zerosLike(w) : names[i]!.endsWith('moving_variance') ? tf.onesLike(w) : w)),
      ),
    );
  }
  forEachTrainingBatch((xs, index) => {
    bns.forEach((l) => (l.momentum = 1 - 1 / (index + 1)));
    tf.tidy(() => {
      model.apply(xs, { training: true });
    });
  });
  bns.forEach((l, i) => (l.momentum = saved[i]!));
}

export const weightAveraging = defineLoopTrick({
  descriptor,
  create: (p) => weightAveragingHook(p),
  fromFormat1: ({ state, series }) => {
    const swa = state.swa as { count: number } | undefined;
    if (!swa) return undefined;
    const average = swa.count ? series('swa') : [];
    return { data: { count: swa.count }, tensors: Object.fromEntries(average.map((t, i) => [`average${i}`, t])) };
  },
});
