// Early stopping on the validation loss: an epoch improves when the loss falls below the best by more than
// min-delta; after `patience` epochs without one, this member stops. Which weights it ends with is
// `restoreBest`: the best epoch's always (Keras 3), only when it stopped (Keras 2), or never.
import * as tf from '@tensorflow/tfjs-core';
import { earlyStopping as descriptor } from '../../../shared/tricks/defs/early-stopping.js';
import type { ParamsOf } from '../../../shared/index.js';
import { defineLoopTrick, type HookState, type TrickHook } from './hook.js';

interface Progress {
  /** Lowest validation loss so far (JSON writes Infinity as null). */
  best: number | null;
  bestEpoch: number;
  wait: number;
  stopped: boolean;
}

function earlyStoppingHook(p: ParamsOf<typeof descriptor>): TrickHook {
  let progress: Progress = { best: null, bestEpoch: -1, wait: 0, stopped: false };
  let bestWeights: tf.Tensor[] | null = null;
  const keepsWeights = p.restoreBest !== 'never';
  const dropBest = () => {
    tf.dispose(bestWeights ?? []);
    bestWeights = null;
  };
  return {
    onEpochEnd({ epoch, valLoss, model }) {
      if (valLoss < (progress.best ?? Infinity) - p.minDelta) {
        progress = { ...progress, best: valLoss, bestEpoch: epoch, wait: 0 };
        if (keepsWeights) {
          dropBest();
          bestWeights = model.getWeights().map((w) => tf.clone(w));
        }
        return { improved: true };
      }
      progress.wait += 1;
      if (progress.wait >= p.patience) progress.stopped = true;
      return { improved: false };
    },
    stopped: () => progress.stopped,
    onFinish({ model }) {
      const restore = p.restoreBest === 'always' || (p.restoreBest === 'whenStopped' && progress.stopped);
      if (!restore || !bestWeights) return null;
      model.setWeights(bestWeights);
      return { weights: 'best', epoch: progress.bestEpoch };
    },
    saveState(): HookState {
      const tensors: Record<string, tf.Tensor> = {};
      bestWeights?.forEach((t, i) => (tensors[`best${i}`] = t));
      return { data: { ...progress }, tensors };
    },
    loadState(state: HookState) {
      const data = state.data as Progress;
      progress = { best: data.best ?? null, bestEpoch: data.bestEpoch, wait: data.wait, stopped: data.stopped };
      dropBest();
      const given = state.tensors ?? {};
      const list: tf.Tensor[] = [];
      for (let i = 0; `best${i}` in given; i++) list.push(given[`best${i}`]!);
      bestWeights = list.length ? list : null;
    },
    dispose: dropBest,
  };
}

export const earlyStopping = defineLoopTrick({
  descriptor,
  create: (p) => earlyStoppingHook(p),
  fromFormat1: ({ state, series }) => {
    const early = state.early as (Progress & { hasBest: boolean }) | undefined;
    if (!early) return undefined;
    const best = early.hasBest ? series('best') : [];
    return {
      data: { best: early.best, bestEpoch: early.bestEpoch, wait: early.wait, stopped: early.stopped },
      tensors: Object.fromEntries(best.map((t, i) => [`best${i}`, t])),
    };
  },
});
