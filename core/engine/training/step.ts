// One optimizer step, in phases: the loss and gradients of a batch (a GradientSource: this thread, or the thread
// pool of threads/pool.ts, which returns the gradients summed over its shards in a fixed order), then the tricks'
// hooks on the reduced gradient and the optimizer's update (applyUpdate), which run once, here.
import * as tf from '@tensorflow/tfjs-core';
import { globalNorm } from '../gradients.js';
import type { Head } from '../head.js';
import { withDropoutStream } from '../kernels/dropout.js';
import type { NamedGrads } from '../tricks/hook.js';
import type { MemberHooks } from '../tricks/registry.js';
import type { Member } from './members.js';

/** A batch as plain data: `n` rows of features and one-hot labels at the start of reusable buffers. */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  n: number;
  inputShape: readonly number[];
  classes: number;
  /** The step's dropout key (run seed, member, epoch, batch): masks are drawn from it by row (kernels/dropout.ts). */
  key: number;
}

export interface BatchGradients {
  /** Mean loss over the batch, regularisation penalties included. */
  loss: tf.Scalar;
  /** Correctly classified rows. */
  correct: tf.Scalar;
  /** Gradients of `loss` for every trainable variable, keyed by variable name in the model's order. */
  grads: NamedGrads;
}

export interface GradientSource {
  compute(member: Member, batch: Batch): BatchGradients | Promise<BatchGradients>;
}

/** Forward and backward on this thread, on the current backend. */
export function localGradients(head: Head): GradientSource {
  return {
    compute(member, batch) {
      const features = batch.inputShape.reduce((a, b) => a * b, 1);
      return withDropoutStream({ key: batch.key, rowOffset: 0 }, () => tf.tidy(() => {
        const xs = tf.tensor(batch.x.subarray(0, batch.n * features), [batch.n, ...batch.inputShape]);
        const ys = tf.tensor(batch.y.subarray(0, batch.n * batch.classes), [batch.n, batch.classes]);
        let output: tf.Tensor | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const out = member.model.apply(xs, { training: true }) as tf.Tensor;
          output = tf.keep(out);
          const dataLoss = head.loss(ys, out);
          // Kernel regularisers (L1/L2): a custom loop must add them itself (model.fit would).
          const penalties = member.model.calculateLosses() as tf.Scalar[];
          return (penalties.length ? tf.add(dataLoss, tf.addN(penalties)) : dataLoss) as tf.Scalar;
        }, member.variables);
        // Kept past variableGrads' scope so accuracy needs no second forward pass; freed with the tidy.
        const correct = head.correct(ys, output!);
        (output as tf.Tensor | null)?.dispose();
        return { loss: value, correct, grads };
      }));
    },
  };
}

export interface StepResult {
  loss: number;
  gradNorm: number;
  correct: number;
}

/** Computes a batch's gradients and, when loss and gradient norm are finite, takes the step. */
export async function trainStep(member: Member, source: GradientSource, batch: Batch, learningRate: number): Promise<StepResult> {
  const { loss, correct, grads } = await source.compute(member, batch);
  const norm = globalNorm(grads);
  // One read per step: loss, norm and hits together (divergence is caught before the update). Async read:
  // webgpu cannot read synchronously, and on cpu/wasm it costs the same.
  const stats = tf.stack([loss, norm, correct]);
  const [lossValue, gradNorm, hits] = await stats.data();
  tf.dispose([stats, loss, correct]);
  if (Number.isFinite(lossValue) && Number.isFinite(gradNorm)) applyUpdate(member.hooks, grads, norm, learningRate, member.kernels);
  tf.dispose([...Object.values(grads), norm]);
  return { loss: lossValue!, gradNorm: gradNorm!, correct: hits! };
}

/**
 * The update from (reduced) gradients: afterGradients hooks (clipping), beforeUpdate (decoupled decay), the
 * optimizer's update, afterUpdate. `norm` is the global norm of `grads`; the caller keeps ownership of both.
 */
export function applyUpdate(hooks: MemberHooks, grads: NamedGrads, norm: tf.Scalar, learningRate: number, kernels: readonly tf.Variable[]): void {
  let current = grads;
  let currentNorm: tf.Scalar | null = norm;
  for (const { hook } of hooks) {
    if (!hook.afterGradients) continue;
    const next = hook.afterGradients({ grads: current, norm: currentNorm });
    if (next === current) continue;
    if (current !== grads) tf.dispose(Object.values(current));
    current = next;
    currentNorm = null;
  }
  const ctx = { learningRate, kernels };
  for (const { hook } of hooks) hook.beforeUpdate?.(ctx);
  for (const { hook } of hooks) hook.update?.(current, learningRate);
  for (const { hook } of hooks) hook.afterUpdate?.(ctx);
  if (current !== grads) tf.dispose(Object.values(current));
}
