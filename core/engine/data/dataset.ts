// In-memory datasets as typed arrays: features row-major, labels one-hot. Splits are fixed per dataset
// (not per run seed) so runs with different seeds are compared on the same validation and test digits.
import type { DatasetRef } from '../../../shared/index.js';
import { loadMnist } from './mnist.js';
import { loadPrepared } from './prepared.js';
import { makeSynthetic } from './synthetic.js';
import { makeSequenceSet } from './sequences.js';

export interface Split {
  x: Float32Array;
  /** One-hot, numClasses per row. */
  y: Float32Array;
  count: number;
}

export interface Dataset {
  name: string;
  inputShape: number[];
  numClasses: number;
  classNames: string[];
  /** Token datasets: x holds integer ids in [0, vocabulary) (exact in float32), read by an embedding. */
  vocabulary?: number;
  /** Token datasets: what each id stands for (index = id), for previews; id 0 pads, id 1 is out-of-vocabulary where imported. */
  tokens?: string[];
  train: Split;
  validation: Split;
  test: Split;
  /** How the splits were made, when the source decided part of it (a test set shipped as its own file). */
  splitNote?: string;
}

export const SPLIT_SEED = 20_240_601;

export function loadDataset(ref: DatasetRef): Dataset {
  if (ref.kind === 'mnist') return ref.trainSamples === undefined ? loadMnist() : firstTrainRows(loadMnist(), ref.trainSamples);
  if (ref.kind === 'synthetic') return makeSynthetic(ref);
  if (ref.kind === 'sequence') return makeSequenceSet(ref);
  return loadPrepared(ref);
}

/**
 * The dataset with only the first `n` rows of its fixed training split (validation and test unchanged): the
 * rows are views of the full split, so every run with the same `n` trains on the same digits.
 */
export function firstTrainRows(dataset: Dataset, n: number): Dataset {
  if (!Number.isSafeInteger(n) || n < 1 || n > dataset.train.count) {
    throw new RangeError(`trainSamples must be an integer in [1, ${dataset.train.count}] (got ${n})`);
  }
  if (n === dataset.train.count) return dataset;
  const features = featureSize(dataset);
  const { x, y } = dataset.train;
  return {
    ...dataset,
    name: `${dataset.name}, first ${n} training digits`,
    train: { x: x.subarray(0, n * features), y: y.subarray(0, n * dataset.numClasses), count: n },
  };
}

export function featureSize(dataset: Pick<Dataset, 'inputShape'>): number {
  return dataset.inputShape.reduce((a, b) => a * b, 1);
}

/** Copies rows `indices` of a split into new arrays (used for splitting and for batches). */
export function takeRows(x: Float32Array, y: Float32Array, features: number, classes: number, indices: ArrayLike<number>): Split {
  const count = indices.length;
  const outX = new Float32Array(count * features);
  const outY = new Float32Array(count * classes);
  for (let i = 0; i < count; i++) {
    const row = indices[i]!;
    outX.set(x.subarray(row * features, (row + 1) * features), i * features);
    outY.set(y.subarray(row * classes, (row + 1) * classes), i * classes);
  }
  return { x: outX, y: outY, count };
}

export function labelOf(y: Float32Array, row: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) if (y[row * classes + c]! > y[row * classes + best]!) best = c;
  return best;
}
