// ×γ per epoch: epoch e (counted from the end of any warm-up) trains at η·γ^e.
import { lrExponential as descriptor } from '../../../shared/tricks/defs/lr-exponential.js';
import { defineLoopTrick } from './hook.js';

export const lrExponential = defineLoopTrick({
  descriptor,
  learningRateFactor: (p, { epoch, warmupEpochs }) => p.gamma ** Math.max(0, epoch - warmupEpochs),
});
