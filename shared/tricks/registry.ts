// Every training trick, listed explicitly (tfjs register_optimizers style): adding a trick means
// adding its file and one line here. Order is the order the UI shows them in.
import type { TrickDescriptor } from './descriptor.js';
import { scaleUnit } from './defs/scale-unit.js';
import { scaleSymmetric } from './defs/scale-symmetric.js';
import { standardize } from './defs/standardize.js';
import { randomFlip } from './defs/random-flip.js';
import { randomShift } from './defs/random-shift.js';
import { gaussianNoise } from './defs/gaussian-noise.js';
import { initUniform } from './defs/init-uniform.js';
import { initNormal } from './defs/init-normal.js';
import { initLecun } from './defs/init-lecun.js';
import { initGlorotNormal } from './defs/init-glorot-normal.js';
import { initGlorotUniform } from './defs/init-glorot-uniform.js';
import { initHe } from './defs/init-he.js';
import { batchNorm } from './defs/batch-norm.js';
import { dropout } from './defs/dropout.js';
import { earlyStopping } from './defs/early-stopping.js';
import { l2 } from './defs/l2.js';
import { l1 } from './defs/l1.js';
import { weightDecay } from './defs/weight-decay.js';
import { sgd } from './defs/sgd.js';
import { momentum } from './defs/momentum.js';
import { nesterov } from './defs/nesterov.js';
import { adagrad } from './defs/adagrad.js';
import { rmsprop } from './defs/rmsprop.js';
import { adam } from './defs/adam.js';
import { clipNorm } from './defs/clip-norm.js';
import { clipValue } from './defs/clip-value.js';
import { lrExponential } from './defs/lr-exponential.js';
import { lrStep } from './defs/lr-step.js';
import { lrCosine } from './defs/lr-cosine.js';
import { lrWarmup } from './defs/lr-warmup.js';
import { ensemble } from './defs/ensemble.js';
import { weightAveraging } from './defs/weight-averaging.js';

export const TRICKS = [
  scaleUnit,
  scaleSymmetric,
  standardize,
  randomFlip,
  randomShift,
  gaussianNoise,
  initUniform,
  initNormal,
  initLecun,
  initGlorotNormal,
  initGlorotUniform,
  initHe,
  batchNorm,
  dropout,
  earlyStopping,
  l2,
  l1,
  weightDecay,
  sgd,
  momentum,
  nesterov,
  adagrad,
  rmsprop,
  adam,
  clipNorm,
  clipValue,
  lrExponential,
  lrStep,
  lrCosine,
  lrWarmup,
  ensemble,
  weightAveraging,
] as const;

export type TrickId = (typeof TRICKS)[number]['id'];

const byId = new Map<string, TrickDescriptor>(TRICKS.map((t) => [t.id, t]));

export function findTrick(id: string): TrickDescriptor | undefined {
  return byId.get(id);
}

export function isTrickId(id: string): id is TrickId {
  return byId.has(id);
}

export const TRICK_IDS = TRICKS.map((t) => t.id) as readonly TrickId[];
