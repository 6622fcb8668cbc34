// Linear warm-up per batch from startFactor·η to η over the first epochs; decay schedules start after it.
import { lrWarmup as descriptor } from '../../../shared/tricks/defs/lr-warmup.js';
import { defineLoopTrick } from './hook.js';

export const lrWarmup = defineLoopTrick({
  descriptor,
  warmupEpochs: (p) => p.epochs,
  learningRateFactor: (p, { epoch, batch, batchesPerEpoch }) => {
    if (epoch >= p.epochs) return 1;
    const progress = (epoch * batchesPerEpoch + batch) / (p.epochs * batchesPerEpoch);
    return p.startFactor + (1 - p.startFactor) * progress;
  },
});
