// Step decay: ×γ every `stepSize` epochs (counted from the end of any warm-up), constant in between.
import { lrStep as descriptor } from '../../../shared/tricks/defs/lr-step.js';
import { defineLoopTrick } from './hook.js';

export const lrStep = defineLoopTrick({
  descriptor,
  learningRateFactor: (p, { epoch, warmupEpochs }) => p.gamma ** Math.floor(Math.max(0, epoch - warmupEpochs) / p.stepSize),
});
