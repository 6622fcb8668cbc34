// Synthetic 2-D classification sets, generated from a fixed seed: spiral arms, concentric circles, XOR
// quadrants and Gaussian blobs, each with noise. 80/10/10 split into train, validation and test.
import type { SyntheticRef } from '../../../shared/index.js';
import { createRng, gaussian, permutation } from './rng.js';
import { SPLIT_SEED, takeRows, type Dataset } from './dataset.js';

export function makeSynthetic(ref: SyntheticRef): Dataset {
  const rng = createRng(SPLIT_SEED ^ ref.samples);
  const n = ref.samples;
  const k = ref.name === 'xor' ? 2 : ref.classes;
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const label = i % k;
    const [px, py] = point(ref, label, k, rng);
    x[i * 2] = px + ref.noise * gaussian(rng);
    x[i * 2 + 1] = py + ref.noise * gaussian(rng);
    y[i * k + (ref.name === 'xor' ? Number(px * py > 0) : label)] = 1;
  }
  const order = permutation(n, rng);
  const nVal = Math.round(n * 0.1);
  const nTest = Math.round(n * 0.1);
  const nTrain = n - nVal - nTest;
  const split = (from: number, to: number) => takeRows(x, y, 2, k, order.subarray(from, to));
  return {
    name: `${ref.name} (${n} points, ${k} classes, noise ${ref.noise})`,
    inputShape: [2],
    numClasses: k,
    classNames: Array.from({ length: k }, (_, c) => `class ${c}`),
    train: split(0, nTrain),
    validation: split(nTrain, nTrain + nVal),
    test: split(nTrain + nVal, n),
  };
}

function point(ref: SyntheticRef, label: number, k: number, rng: () => number): [number, number] {
  switch (ref.name) {
    case 'spiral': {
      // Arm `label` of k interleaved spirals over 1.5 turns, radius 0.15..1 (at the very centre the arms
      // meet, and points there would be unclassifiable whatever the model).
      const r = 0.15 + 0.85 * rng();
      const angle = (label * 2 * Math.PI) / k + r * 3 * Math.PI;
      return [r * Math.cos(angle), r * Math.sin(angle)];
    }
    case 'circles': {
      const radius = (label + 1) / k;
      const angle = rng() * 2 * Math.PI;
      return [radius * Math.cos(angle), radius * Math.sin(angle)];
    }
    case 'xor':
      return [rng() * 2 - 1, rng() * 2 - 1];
    case 'blobs': {
      const angle = (label * 2 * Math.PI) / k;
      return [0.7 * Math.cos(angle) + 0.15 * gaussian(rng), 0.7 * Math.sin(angle) + 0.15 * gaussian(rng)];
    }
  }
}
