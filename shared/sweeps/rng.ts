// Seeded randomness for sweep planning: every draw comes from a generator seeded by (sweep seed, trial number,
// purpose), never from Math.random, so a sweep's plan is a pure function of its spec and its stored trials. (The
// engine has its own copy in core/engine/data/rng.ts; shared/ cannot import core/.)

/** mulberry32: floats in [0, 1). */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes several integers into one seed. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
  }
  return h >>> 0;
}

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
