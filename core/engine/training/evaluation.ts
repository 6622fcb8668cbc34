// Evaluation: loss, accuracy and probabilities on a split (averaged over an ensemble's members), per-layer
// statistics on a probe batch, and the final test evaluation with its confusion matrix.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { MAX_MISCLASSIFIED_SAMPLES, type FinalMetrics, type LayerStat, type TestEvaluation } from '../../../shared/index.js';
import { featureSize, labelOf, type Dataset, type Split } from '../data/dataset.js';
import { scaleRowInto, type Scaling } from '../data/scaling.js';
import type { Head } from '../head.js';
import type { Member } from './members.js';

const EVAL_BATCH = 512;

export interface Evaluation {
  loss: number;
  accuracy: number;
  /** Class probabilities, row-major. */
  probs: Float32Array;
}

/** Loss, accuracy and probabilities on a split; `scaling` scales its rows as they are read (the raw training split). */
export async function evaluate(model: tfl.LayersModel, head: Head, split: Split, dataset: Dataset, scaling?: Scaling): Promise<Evaluation> {
  const features = featureSize(dataset);
  const probs = new Float32Array(split.count * dataset.numClasses);
  const scaled = scaling && scaling.kind !== 'none' ? new Float32Array(Math.min(EVAL_BATCH, split.count) * features) : null;
  let lossSum = 0;
  let correct = 0;
  for (let from = 0; from < split.count; from += EVAL_BATCH) {
    const n = Math.min(EVAL_BATCH, split.count - from);
    if (scaled) for (let i = 0; i < n; i++) scaleRowInto(split.x, from + i, scaled, i, features, scaling!);
    const [batchLoss, batchCorrect, batchProbs] = tf.tidy(() => {
      const rows = scaled ? scaled.subarray(0, n * features) : split.x.subarray(from * features, (from + n) * features);
      const xs = tf.tensor(rows, [n, ...dataset.inputShape]);
      const ys = tf.tensor(split.y.subarray(from * dataset.numClasses, (from + n) * dataset.numClasses), [n, dataset.numClasses]);
      const out = model.apply(xs, { training: false }) as tf.Tensor;
      return [head.loss(ys, out), head.correct(ys, out), head.probabilities(out)] as const;
    });
    lossSum += (await batchLoss.data())[0]! * n;
    correct += (await batchCorrect.data())[0]!;
    probs.set(await batchProbs.data(), from * dataset.numClasses);
    tf.dispose([batchLoss, batchCorrect, batchProbs]);
  }
  return { loss: lossSum / split.count, accuracy: correct / split.count, probs };
}

/** Loss and accuracy of the members' averaged probabilities. */
export function ensembleMetrics(all: Float32Array[], split: Split, classes: number, head: Head): { loss: number; accuracy: number } {
  const mean = new Float32Array(all[0]!.length);
  for (const probs of all) for (let i = 0; i < mean.length; i++) mean[i]! += probs[i]! / all.length;
  let loss = 0;
  let correct = 0;
  for (let row = 0; row < split.count; row++) {
    const truth = labelOf(split.y, row, classes);
    const predicted = labelOf(mean, row, classes);
    if (truth === predicted) correct++;
    loss += head.kind === 'linear' ? squaredError(mean, split.y, row, classes) : -Math.log(Math.max(mean[row * classes + truth]!, 1e-7));
  }
  return { loss: loss / split.count, accuracy: correct / split.count };
}

function squaredError(a: Float32Array, b: Float32Array, row: number, classes: number): number {
  let s = 0;
  for (let c = 0; c < classes; c++) s += (a[row * classes + c]! - b[row * classes + c]!) ** 2;
  return s / classes;
}

export async function layerStats(member: Member, head: Head, probe: tf.Tensor, probeY: tf.Tensor): Promise<LayerStat[]> {
  const { packed, labels } = tf.tidy(() => {
    const activations = member.probeModel.apply(probe, { training: false });
    const acts = Array.isArray(activations) ? activations : [activations];
    const kernelVars = member.weighted.map(({ layer }) => (layer.trainableWeights[0] as unknown as { read(): tf.Variable }).read());
    const { grads } = tf.variableGrads(
      () => head.loss(probeY, member.model.apply(probe, { training: false }) as tf.Tensor) as tf.Scalar,
      kernelVars,
    );
    const rows = member.weighted.map(({ layer, path }, i) => {
      const act = acts[i] as tf.Tensor;
      const { mean, variance } = tf.moments(act);
      const units = act.shape[act.shape.length - 1]!;
      const perUnitMax = tf.max(tf.reshape(act, [-1, units]), 0);
      const dead = tf.mean(tf.cast(tf.lessEqual(perUnitMax, 0), 'float32'));
      return [tf.norm(kernelVars[i]!), tf.norm(grads[kernelVars[i]!.name]!), mean, tf.sqrt(variance), dead, layer.name, path] as const;
    });
    return {
      packed: tf.stack(rows.flatMap((r) => r.slice(0, 5) as tf.Tensor[]).map((t) => tf.reshape(t, []))),
      labels: rows.map((r) => ({ layer: r[5], path: r[6] })),
    };
  });
  const numbers = await packed.data();
  packed.dispose();
  return labels.map(({ layer, path }, i) => ({
    layer,
    path,
    weightNorm: numbers[i * 5]!,
    gradNorm: numbers[i * 5 + 1]!,
    activationMean: numbers[i * 5 + 2]!,
    activationStd: numbers[i * 5 + 3]!,
    deadFraction: numbers[i * 5 + 4]!,
  }));
}

export async function finalMetrics(
  members: Member[],
  head: Head,
  splits: { train: Split; validation: Split; test: Split },
  dataset: Dataset,
  /** How the (raw) training split is scaled; validation and test come scaled. */
  trainScaling?: Scaling,
): Promise<{ metrics: FinalMetrics; confusion: number[][]; evaluation: TestEvaluation }> {
  const averaged = async (split: Split, scaling?: Scaling) => {
    const evals: Evaluation[] = [];
    for (const m of members) evals.push(await evaluate(m.model, head, split, dataset, scaling));
    if (evals.length === 1) return evals[0]!;
    const { loss, accuracy } = ensembleMetrics(evals.map((e) => e.probs), split, dataset.numClasses, head);
    const probs = new Float32Array(evals[0]!.probs.length);
    for (const e of evals) for (let i = 0; i < probs.length; i++) probs[i]! += e.probs[i]! / evals.length;
    return { loss, accuracy, probs };
  };
  const train = await averaged(splits.train, trainScaling);
  const val = await averaged(splits.validation);
  const testSplit = splits.test;
  const test = await averaged(testSplit);
  const k = dataset.numClasses;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const features = featureSize(dataset);
  const misclassified: TestEvaluation['misclassified'] = [];
  let misclassifiedCount = 0;
  for (let row = 0; row < testSplit.count; row++) {
    const label = labelOf(testSplit.y, row, k);
    const predicted = labelOf(test.probs, row, k);
    confusion[label]![predicted]! += 1;
    if (label === predicted) continue;
    misclassifiedCount++;
    if (misclassified.length < MAX_MISCLASSIFIED_SAMPLES) {
      // Raw features (dataset.test is unscaled; testSplit is what the model saw).
      const raw = Array.from(dataset.test.x.subarray(row * features, (row + 1) * features));
      misclassified.push({ index: row, label, predicted, confidence: test.probs[row * k + predicted]!, features: raw });
    }
  }
  const evaluation: TestEvaluation = { inputShape: [...dataset.inputShape], parameters: members[0]!.model.countParams(), misclassified, misclassifiedCount };
  return {
    evaluation,
    metrics: { loss: train.loss, accuracy: train.accuracy, valLoss: val.loss, valAccuracy: val.accuracy, testLoss: test.loss, testAccuracy: test.accuracy },
    confusion,
  };
}
