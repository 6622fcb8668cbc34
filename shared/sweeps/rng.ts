// Seeded randomness for sweep planning: every draw comes from a generator seeded by (sweep seed, trial number,
// purpose), never from Math.random, so a sweep's plan is a pure function of its spec and its stored trials.

import { createRng, mixSeed } from '../random/rng.js';

export { createRng, mixSeed };

/** What a generator is for, so that two uses for one trial never share draws. */
export const RNG_PURPOSE = { sample: 1, tpe: 2, grid: 3 } as const;

export function trialRng(seed: number, trial: number, purpose: number): () => number {
  return createRng(mixSeed(seed, trial, purpose));
}

/** A standard normal draw (Box–Muller). */
export function normal(rng: () => number): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, rng: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
