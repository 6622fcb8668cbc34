// Every trick of kind 'loop', listed explicitly: adding one means its descriptor (shared/tricks/defs), its file
// here named by its id, and one line below. The order is the order hooks run within each phase.
import { paramsOf, type TrainingConfig, type TrickParams } from '../../../shared/index.js';
import type { LoopTrick, MemberInfo, StepAt, TrickHook } from './hook.js';
import { sgd } from './sgd.js';
import { momentum } from './momentum.js';
import { nesterov } from './nesterov.js';
import { adagrad } from './adagrad.js';
import { rmsprop } from './rmsprop.js';
import { adam } from './adam.js';
import { lrWarmup } from './lrWarmup.js';
import { lrExponential } from './lrExponential.js';
import { lrStep } from './lrStep.js';
import { lrCosine } from './lrCosine.js';
import { clipValue } from './clipValue.js';
import { clipNorm } from './clipNorm.js';
import { weightDecay } from './weightDecay.js';
import { weightAveraging } from './weightAveraging.js';
import { earlyStopping } from './earlyStopping.js';
import { ensemble } from './ensemble.js';

export const LOOP_TRICKS: readonly LoopTrick[] = [
  // The optimizer's update (exactly one is on).
  sgd,
  momentum,
  nesterov,
  adagrad,
  rmsprop,
  adam,
  // Learning-rate factors, multiplied in this order: warm-up, then the decay.
  lrWarmup,
  lrExponential,
  lrStep,
  lrCosine,
  // afterGradients: value clipping first, so that norm clipping caps the norm of what is applied.
  clipValue,
  clipNorm,
  // beforeUpdate.
  weightDecay,
  // onEpochEnd and onFinish: averaged weights win over the best epoch's.
  weightAveraging,
  earlyStopping,
  // Members.
  ensemble,
];

/** One trick that is on in a config, with its parameters. */
export interface ActiveTrick {
  trick: LoopTrick;
  params: TrickParams;
}

/** A member's hooks, in registry order, each with the id its checkpointed state is kept under. */
export type MemberHooks = Array<{ id: string; trick: LoopTrick; hook: TrickHook }>;

/** The loop tricks a config turns on, resolved once per run. */
export class LoopTricks {
  readonly active: readonly ActiveTrick[];
  readonly memberCount: number;
  readonly baseLearningRate: number;
  readonly warmupEpochs: number;

  constructor(readonly config: TrainingConfig) {
    this.active = LOOP_TRICKS.flatMap((trick) => {
      const params = paramsOf(config, trick.descriptor.id);
      return params ? [{ trick, params }] : [];
    });
    const optimizers = this.active.filter((a) => a.trick.baseLearningRate);
    if (optimizers.length !== 1) {
      throw new Error(`a config needs exactly one optimizer (parseTrainingConfig adds Adam by default), got ${optimizers.length}`);
    }
    this.baseLearningRate = optimizers[0]!.trick.baseLearningRate!(optimizers[0]!.params);
    this.memberCount = Math.max(1, ...this.active.map((a) => a.trick.members?.(a.params) ?? 1));
    this.warmupEpochs = Math.max(0, ...this.active.map((a) => a.trick.warmupEpochs?.(a.params) ?? 0));
  }

  /** The learning rate of one batch: the optimizer's base rate times every schedule's factor. */
  learningRateAt(at: Pick<StepAt, 'epoch' | 'batch' | 'batchesPerEpoch'>): number {
    const where: StepAt = { ...at, epochs: this.config.epochs, warmupEpochs: this.warmupEpochs };
    let lr = this.baseLearningRate;
    for (const { trick, params } of this.active) if (trick.learningRateFactor) lr *= trick.learningRateFactor(params, where);
    return lr;
  }

  /** A fresh set of hooks for one member. */
  createHooks(member: MemberInfo): MemberHooks {
    return this.active.flatMap(({ trick, params }) => (trick.create ? [{ id: trick.descriptor.id, trick, hook: trick.create(params, member) }] : []));
  }
}

export function disposeHooks(hooks: MemberHooks): void {
  for (const { hook } of hooks) hook.dispose?.();
}
