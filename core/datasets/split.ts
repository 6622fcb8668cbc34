// The seeded train / validation / test split every imported dataset gets (80 / 10 / 10).
import { SPLIT_SEED, takeRows, type Dataset } from '../engine/data/dataset.js';
import { createRng, permutation } from '../engine/data/rng.js';

export function splitRows(
  base: Omit<Dataset, 'train' | 'validation' | 'test'>,
  x: Float32Array,
  y: Float32Array,
  count: number,
  seed = SPLIT_SEED,
): Dataset {
  const features = base.inputShape.reduce((a, b) => a * b, 1);
  const order = permutation(count, createRng(seed));
  const nVal = Math.max(1, Math.round(count * 0.1));
  const nTest = Math.max(1, Math.round(count * 0.1));
  const nTrain = count - nVal - nTest;
  const take = (from: number, to: number) => takeRows(x, y, features, base.numClasses, order.subarray(from, to));
  return { ...base, train: take(0, nTrain), validation: take(nTrain, nTrain + nVal), test: take(nTrain + nVal, count) };
}
