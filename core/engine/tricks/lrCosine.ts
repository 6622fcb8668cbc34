// Cosine decay per epoch over the epochs after any warm-up: epoch e of E trains at
//   η·(f + (1 − f)·(1 + cos(π·e/E))/2),
// so the first trains at η and the curve reaches the floor η·f only as the last epoch ends (PyTorch's
// CosineAnnealingLR with T_max = E). Reaching it at e = E − 1 instead made the last epoch train at the floor,
// with f = 0 at learning rate 0: a wasted epoch.
import { lrCosine as descriptor } from '../../../shared/tricks/defs/lr-cosine.js';
import { defineLoopTrick } from './hook.js';

export const lrCosine = defineLoopTrick({
  descriptor,
  learningRateFactor: (p, { epoch, epochs, warmupEpochs }) => {
    const progress = Math.max(0, epoch - warmupEpochs) / (epochs - warmupEpochs);
    return p.minFactor + ((1 - p.minFactor) * (1 + Math.cos(Math.PI * progress))) / 2;
  },
});
