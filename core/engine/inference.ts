// A trained checkpoint as a model that answers: its members rebuilt from the spec (as trained: the folded output
// activation included, so `probabilities` reads the head the loss used), their weights set from the checkpoint,
// and raw inputs scaled exactly as in training. Used by `runs.predict` (Try the model) on the host.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CHECKPOINT_FORMATS, expandSpec, type CheckpointManifest, type DecisionBoundary, type ModelSpec, type TrainingConfig } from '../../shared/index.js';
import { buildModel } from './build-model.js';
import type { Scaling } from './data/scaling.js';
import { prepareHead, type Head } from './head.js';
import { unpackTensors } from './tensor-codec.js';
import { decisionBoundary } from './training/boundary.js';
import type { RecordedScaling } from './training/checkpoint.js';
import { TrainError } from './training/errors.js';

export interface TrainedModel {
  head: Head;
  members: tfl.LayersModel[];
  inputShape: number[];
  scaling: Scaling;
  dispose(): void;
}

/** The input scaling a checkpoint recorded (checkpoints since issue 17), or null for an older one. */
export function recordedScaling(manifest: CheckpointManifest): Scaling | null {
  const state = manifest.state as { run?: { inputScaling?: RecordedScaling } } | null;
  const s = state?.run?.inputScaling;
  if (!s || !Array.isArray(s.shift) || !Array.isArray(s.scale) || s.shift.length !== s.scale.length || s.shift.length === 0) return null;
  const kind = (['scaleUnit', 'scaleSymmetric', 'standardize', 'none'] as const).find((k) => k === s.kind);
  if (!kind) return null;
  return { kind, shift: Float32Array.from(s.shift), scale: Float32Array.from(s.scale) };
}

/** Rebuilds every member of a checkpoint (`m<i>/w<j>` tensors) on the current backend. */
export function loadTrainedModel(spec: ModelSpec, config: TrainingConfig, manifest: CheckpointManifest, weights: Uint8Array, scaling: Scaling): TrainedModel {
  if (!CHECKPOINT_FORMATS.includes(manifest?.format) || !Array.isArray(manifest.tensors)) {
    throw new TrainError('bad_checkpoint', `the checkpoint manifest is not one this Layerwise reads (format ${CHECKPOINT_FORMATS.join(' or ')})`);
  }
  const expanded = expandSpec(spec, config);
  const head = prepareHead(expanded);
  const byMember = new Map<number, tf.Tensor[]>();
  for (const { name, tensor } of unpackTensors({ entries: manifest.tensors, bytes: weights })) {
    const match = /^m(\d+)\/w(\d+)$/.exec(name);
    if (!match) {
      tensor.dispose();
      continue;
    }
    const list = byMember.get(Number(match[1])) ?? [];
    list[Number(match[2])] = tensor;
    byMember.set(Number(match[1]), list);
  }
  const members: tfl.LayersModel[] = [];
  try {
    if (byMember.size === 0) throw new TrainError('bad_checkpoint', 'the checkpoint holds no model weights');
    for (let m = 0; m < byMember.size; m++) {
      const w = byMember.get(m);
      if (!w) throw new TrainError('bad_checkpoint', `the checkpoint has no weights for ensemble member ${m}`);
      const model = buildModel(head.spec, { seed: 1 });
      members.push(model);
      try {
        model.setWeights(w);
      } catch (error) {
        throw new TrainError('bad_checkpoint', `the checkpoint's weights do not fit the model: ${(error as Error).message}`);
      }
    }
  } catch (error) {
    members.forEach((m) => m.dispose());
    throw error;
  } finally {
    for (const list of byMember.values()) list.forEach((t) => t?.dispose());
  }
  const input = expanded.layers[0];
  const inputShape = input?.type === 'input' ? [...input.shape] : [];
  return { head, members, inputShape, scaling, dispose: () => members.forEach((m) => m.dispose()) };
}

/** Class probabilities (or a regression's outputs) for raw rows, averaged over the members. */
export async function predictRows(model: TrainedModel, rows: readonly (readonly number[])[]): Promise<number[][]> {
  const features = model.inputShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(rows.length * features);
  const perFeature = model.scaling.shift.length > 1;
  rows.forEach((row, r) => {
    for (let i = 0; i < features; i++) {
      const g = perFeature ? i : 0;
      x[r * features + i] = model.scaling.kind === 'none' ? row[i]! : (row[i]! - model.scaling.shift[g]!) * model.scaling.scale[g]!;
    }
  });
  const out = tf.tidy(() => {
    const xs = tf.tensor(x, [rows.length, ...model.inputShape]);
    const probs = model.members.map((m) => model.head.probabilities(m.apply(xs, { training: false }) as tf.Tensor));
    return probs.length === 1 ? probs[0]! : tf.div(tf.addN(probs), probs.length);
  });
  const units = out.shape[1]!;
  const values = await out.data();
  out.dispose();
  return rows.map((_, r) => Array.from(values.subarray(r * units, (r + 1) * units)));
}

/** The decision-boundary picture of a 2-D model over `extent` (the training points' plane). */
export function boundaryOf(model: TrainedModel, extent: DecisionBoundary['extent']): Promise<DecisionBoundary> {
  return decisionBoundary(model.members, model.head, model.scaling, extent);
}
