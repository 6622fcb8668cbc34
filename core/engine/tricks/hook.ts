// The plug-in interface of the training loop (as Lightning's Callback with state_dict, or Keras callbacks):
// a trick of kind 'loop' is one file here, named by its descriptor id, that implements some of these hooks.
// The loop calls them by phase and knows no trick by name.
//
// One optimizer step is split into phases so that the gradient computation can later move to a pool of
// workers (data-parallel, gradients summed in a fixed order): compute loss and gradients of the batch →
// afterGradients (clipping sees the reduced gradient) → beforeUpdate (decoupled decay) → the optimizer's
// update → afterUpdate. Everything a hook is told about where training stands is plain data.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ParamsOf, TrickDescriptor } from '../../../shared/index.js';

export type NamedGrads = Record<string, tf.Tensor>;

/** Where training stands at one batch (plain data: the same in every worker). */
export interface StepAt {
  /** 0-based epoch and batch within it. */
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
  /** Epochs of the whole run. */
  epochs: number;
  /** Epochs at the start that warm-up claims: decay schedules count their epochs from here. */
  warmupEpochs: number;
}

export interface GradientsContext {
  /** The gradients of the batch (the reduced gradients when several workers computed them). */
  grads: NamedGrads;
  /** Their global norm while they are still the unmodified gradients, null once a hook has replaced them. */
  norm: tf.Scalar | null;
}

export interface UpdateContext {
  learningRate: number;
  /** The member's kernels, every weight named *kernel (what decoupled weight decay shrinks; biases, norms and embedding tables are left alone). */
  kernels: readonly tf.Variable[];
}

export interface EpochEndContext {
  epoch: number;
  epochs: number;
  /** This member's validation loss after the epoch. */
  valLoss: number;
  model: tfl.LayersModel;
}

export interface EpochVerdict {
  /** This epoch is the best so far by the trick's own rule (early stopping's min-delta). */
  improved: boolean;
}

export interface FinishContext {
  model: tfl.LayersModel;
  /** Runs every training batch forward in training mode, in order (batch-norm statistics). */
  forEachTrainingBatch(fn: (xs: tf.Tensor, index: number) => void): void;
}

/** Which weights a finish hook put into the model, and (for restored weights) from which epoch. */
export type FinalWeights = { weights: 'averaged' } | { weights: 'best'; epoch: number };

/** A trick's resumable state (Lightning's state_dict): JSON data plus named tensors. */
export interface HookState {
  data?: unknown;
  tensors?: Record<string, tf.Tensor>;
  /** Frees what saveState made only for this snapshot; the codec calls it once the tensors are packed. */
  release?(): void;
}

export interface LoadContext {
  /** The checkpoint manifest format the state was read from (1: before trick hooks). */
  format: number;
  /** The learning rate of the last step before the checkpoint. */
  learningRate: number;
}

/** The hooks of one trick for one model (an ensemble trains several, each with its own hooks and state). */
export interface TrickHook {
  /** Replaces the gradients before the step (clipping); must not dispose what it was given. */
  afterGradients?(ctx: GradientsContext): NamedGrads;
  /** Right before the optimizer's update, after every afterGradients hook. */
  beforeUpdate?(ctx: UpdateContext): void;
  /** The optimizer's update itself: only the optimizer trick has it. */
  update?(grads: NamedGrads, learningRate: number): void;
  afterUpdate?(ctx: UpdateContext): void;
  /** After each epoch's validation. */
  onEpochEnd?(ctx: EpochEndContext): EpochVerdict | void;
  /** True once this trick has ended the member's training (early stopping). */
  stopped?(): boolean;
  /** After the last epoch: may put other weights into the model; the first hook that does wins. */
  onFinish?(ctx: FinishContext): FinalWeights | null;
  /** The state to checkpoint; tensors stay owned by the hook (the codec only reads them). */
  saveState?(): HookState | Promise<HookState>;
  /** Restores a checkpointed state; the hook takes ownership of the tensors it is given. */
  loadState?(state: HookState, from: LoadContext): void | Promise<void>;
  dispose?(): void;
}

/** What a member looks like to a trick when its hooks are created (the model comes with each call). */
export interface MemberInfo {
  index: number;
}

/** Format-1 checkpoints kept early stopping and weight averaging in fixed places; a trick reads its own. */
export interface Format1Member {
  state: Record<string, unknown>;
  /** The tensors `m<i>/<prefix>0, 1, …` of this member. */
  series(prefix: string): tf.Tensor[];
}

/** The engine side of a 'loop' trick: its descriptor and the parts it implements. */
export interface LoopTrick<D extends TrickDescriptor = TrickDescriptor> {
  descriptor: D;
  /** The optimizer's base learning rate (the optimizer trick). */
  baseLearningRate?(params: ParamsOf<D>): number;
  /** Multiplies the learning rate at a batch (schedules). Stateless: a function of where training stands. */
  learningRateFactor?(params: ParamsOf<D>, at: StepAt): number;
  /** Epochs at the start that this trick claims before decay schedules start (warm-up). */
  warmupEpochs?(params: ParamsOf<D>): number;
  /** How many models train side by side (ensemble). */
  members?(params: ParamsOf<D>): number;
  /** Creates this trick's hooks for one member. */
  create?(params: ParamsOf<D>, member: MemberInfo): TrickHook;
  /** Where its checkpointed tensors go: the optimizer's state is kept apart from the weights. */
  stateIn?: 'weights' | 'optimizer';
  /** Reads this trick's state out of a format-1 checkpoint (undefined: nothing there). */
  fromFormat1?(member: Format1Member): HookState | undefined;
}

/** Keeps the descriptor's parameter types in every hook's signature. */
export function defineLoopTrick<D extends TrickDescriptor>(trick: LoopTrick<D>): LoopTrick<D> {
  return trick;
}
