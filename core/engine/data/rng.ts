// Seeded randomness for everything the engine shuffles or samples, so a run is repeatable.

import { createRng, mixSeed } from '../../../shared/random/rng.js';

export { createRng, mixSeed };

/** Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, rng: () => number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Standard normal draw (Box–Muller). */
export function gaussian(rng: () => number): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * tfjs draws dropout masks from Math.random when no seed is given (and a fixed seed would reuse one mask
 * for every batch). Seeding Math.random around training makes dropout both fresh per batch and repeatable.
 */
export function withSeededMathRandom<T>(seed: number, fn: () => Promise<T>): Promise<T> {
  const original = Math.random;
  Math.random = createRng(seed);
  return fn().finally(() => {
    Math.random = original;
  });
}
