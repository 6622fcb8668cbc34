// The models a run trains: one, or K for an ensemble, each with its own seed, optimizer and trick hooks.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { networkOptions, type TrainingConfig } from '../../../shared/index.js';
import { buildModel, specPathOf } from '../build-model.js';
import { mixSeed } from '../data/rng.js';
import type { Head } from '../head.js';
import type { TrickHook } from '../tricks/hook.js';
import { disposeHooks, type LoopTricks, type MemberHooks } from '../tricks/registry.js';
import { holdsKernel } from '../layers/registry.js';

export interface Member {
  index: number;
  seed: number;
  model: tfl.LayersModel;
  /** Shares the layers (and so the weights) of `model`; outputs every weighted layer's activation. */
  probeModel: tfl.LayersModel;
  weighted: Array<{ layer: tfl.layers.Layer; path: string }>;
  variables: tf.Variable[];
  kernels: tf.Variable[];
  hooks: MemberHooks;
  /** The hook that takes the optimizer's update. */
  optimizer: TrickHook;
}

export function createMember(head: Head, config: TrainingConfig, tricks: LoopTricks, index: number): Member {
  const seed = mixSeed(config.seed, index, 0);
  const model = buildModel(head.spec, { seed, ...networkOptions(config) });
  const weighted = model.layers
    .filter(holdsKernel)
    .map((layer) => ({ layer, path: specPathOf(layer.name) }));
  const probeModel = tfl.model({ inputs: model.inputs, outputs: weighted.map((w) => w.layer.output as tfl.SymbolicTensor) });
  const variables = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
  const kernels = model.trainableWeights
    // Every kernel: dense and conv 'kernel', recurrent_kernel, depthwise/pointwise_kernel, the attention's query_kernel….
    .filter((w) => w.originalName.endsWith('kernel'))
    .map((w) => (w as unknown as { read(): tf.Variable }).read());
  const hooks = tricks.createHooks({ index });
  const optimizer = hooks.find((h) => h.hook.update)?.hook;
  if (!optimizer) throw new Error('no trick of the config provides the optimizer update');
  return { index, seed, model, probeModel, weighted, variables, kernels, hooks, optimizer };
}

export function disposeMember(member: Member): void {
  member.model.dispose();
  disposeHooks(member.hooks);
}

/** A member stops training when one of its tricks says so (early stopping). */
export function isStopped(member: Member): boolean {
  return member.hooks.some(({ hook }) => hook.stopped?.() === true);
}
