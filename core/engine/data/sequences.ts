// The synthetic sequence sets of shared/data/sequence-sets.ts, generated from a fixed seed (the same ref always
// gives the same sequences and split): 80/10/10 into train, validation and test.
import { PATTERN_MOTIF, PATTERN_TOKENS, PATTERN_VOCABULARY, type SequenceRef } from '../../../shared/index.js';
import { createRng, gaussian, permutation } from './rng.js';
import { SPLIT_SEED, takeRows, type Dataset } from './dataset.js';

export function makeSequenceSet(ref: SequenceRef): Dataset {
  const rng = createRng(SPLIT_SEED ^ (ref.samples * 31 + ref.length) ^ (ref.name === 'pattern' ? 0x5eed : 0x51e));
  const n = ref.samples;
  const k = ref.name === 'pattern' ? 2 : ref.classes;
  // One value per step: a token id (pattern) or the signal (sine, [length, 1]).
  const features = ref.length;
  const x = new Float32Array(n * features);
  const y = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let label = i % k;
    const row = x.subarray(i * features, (i + 1) * features);
    if (ref.name === 'pattern') pattern(row, label === 1, rng);
    else sine(row, label, ref.noise, rng);
    // The pattern set's noise is label noise: some labels say the opposite of the sequence.
    if (ref.name === 'pattern' && rng() < ref.noise) label = 1 - label;
    y[i * k + label] = 1;
  }
  const order = permutation(n, rng);
  const nVal = Math.round(n * 0.1);
  const nTrain = n - 2 * nVal;
  const split = (from: number, to: number) => takeRows(x, y, features, k, order.subarray(from, to));
  const base = {
    name: `${ref.name} (${n} sequences of ${ref.length} ${ref.name === 'pattern' ? 'tokens' : 'steps'})`,
    inputShape: ref.name === 'pattern' ? [ref.length] : [ref.length, 1],
    numClasses: k,
    classNames: ref.name === 'pattern' ? ['no C A D', 'C A D'] : Array.from({ length: k }, (_, c) => `${c + 1} cycle${c ? 's' : ''}`),
  };
  return {
    ...base,
    ...(ref.name === 'pattern' ? { vocabulary: PATTERN_VOCABULARY, tokens: [...PATTERN_TOKENS] } : {}),
    train: split(0, nTrain),
    validation: split(nTrain, nTrain + nVal),
    test: split(nTrain + nVal, n),
  };
}

const symbol = (rng: () => number) => 1 + Math.floor(rng() * (PATTERN_VOCABULARY - 1));

function hasMotif(row: Float32Array): boolean {
  for (let t = 0; t + PATTERN_MOTIF.length <= row.length; t++) if (PATTERN_MOTIF.every((m, j) => row[t + j] === m)) return true;
  return false;
}

/** Random symbols; with the motif planted (positive), or without it anywhere, half of them holding its symbols in another order. */
function pattern(row: Float32Array, positive: boolean, rng: () => number): void {
  const m = PATTERN_MOTIF.length;
  const plant = (tokens: readonly number[]) => row.set(tokens, Math.floor(rng() * (row.length - m + 1)));
  const decoy = rng() < 0.5;
  for (;;) {
    for (let t = 0; t < row.length; t++) row[t] = symbol(rng);
    if (positive) return plant(PATTERN_MOTIF);
    if (decoy) {
      // Another order of the same symbols (never the motif itself).
      const order = [[1, 0, 2], [2, 1, 0], [0, 2, 1], [1, 2, 0], [2, 0, 1]][Math.floor(rng() * 5)]!;
      plant(order.map((j) => PATTERN_MOTIF[j]!));
    }
    if (!hasMotif(row)) return;
  }
}

/** A sine of class k: k + 1 cycles per window (± 0.3), random phase, amplitude 0.5–1.5, plus N(0, noise²). */
function sine(row: Float32Array, k: number, noise: number, rng: () => number): void {
  const cycles = k + 1 + (rng() - 0.5) * 0.6;
  const phase = rng() * 2 * Math.PI;
  const amplitude = 0.5 + rng();
  for (let t = 0; t < row.length; t++) row[t] = amplitude * Math.sin((2 * Math.PI * cycles * t) / row.length + phase) + noise * gaussian(rng);
}
