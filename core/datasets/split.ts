// The seeded train / validation / test split every imported dataset gets (80 / 10 / 10).
import { SPLIT_SEED, takeRows, type Dataset } from '../engine/data/dataset.js';
import { createRng, permutation } from '../engine/data/rng.js';

/** The rows of each part, in the seeded order splitRows uses (a text import fits its vocabulary on `train` only). */
export function splitOrder(count: number, seed = SPLIT_SEED): { train: Uint32Array; validation: Uint32Array; test: Uint32Array } {
  const order = permutation(count, createRng(seed));
  const nVal = Math.max(1, Math.round(count * 0.1));
  const nTest = Math.max(1, Math.round(count * 0.1));
  const nTrain = count - nVal - nTest;
  return { train: order.subarray(0, nTrain), validation: order.subarray(nTrain, nTrain + nVal), test: order.subarray(nTrain + nVal, count) };
}

export function splitRows(
  base: Omit<Dataset, 'train' | 'validation' | 'test'>,
  x: Float32Array,
  y: Float32Array,
  count: number,
  seed = SPLIT_SEED,
): Dataset {
  const features = base.inputShape.reduce((a, b) => a * b, 1);
  const parts = splitOrder(count, seed);
  const take = (rows: Uint32Array) => takeRows(x, y, features, base.numClasses, rows);
  return { ...base, train: take(parts.train), validation: take(parts.validation), test: take(parts.test) };
}
