// The search space: each parameter as a domain (a float or integer range, linear or log, or a list of values),
// seeded random draws from it, and the grid over all of it.
import { permutation, RNG_PURPOSE, trialRng } from './rng.js';
import type { SweepValue } from './spec.js';

export type Domain =
  | { kind: 'float'; min: number; max: number; log: boolean; grid: number | null }
  | { kind: 'int'; min: number; max: number; log: boolean; grid: number | null }
  | { kind: 'choice'; values: SweepValue[] };

/** Trial values as stored: parameter path → value. */
export type TrialParams = Record<string, SweepValue>;

/** Six significant digits: what a person can read and type back, and the same on every machine. */
export function tidy(x: number): number {
  return Number(x.toPrecision(6));
}

/** A uniform draw from the domain (log-uniform on a log scale). */
export function sampleDomain(domain: Domain, rng: () => number): SweepValue {
  if (domain.kind === 'choice') return domain.values[Math.min(domain.values.length - 1, Math.floor(rng() * domain.values.length))]!;
  const { lo, hi } = internalBounds(domain);
  return fromInternal(domain, lo + rng() * (hi - lo));
}

/**
 * The domain's continuous internal scale (log for a log domain); integers take ±0.5 around their ends so that
 * every integer has an equal share of it.
 */
export function internalBounds(domain: Exclude<Domain, { kind: 'choice' }>): { lo: number; hi: number } {
  const pad = domain.kind === 'int' ? 0.5 : 0;
  const lo = domain.min - pad;
  const hi = domain.max + pad;
  // On a log scale min > 0, and an integer min is at least 1, so lo stays positive.
  return domain.log ? { lo: Math.log(lo), hi: Math.log(hi) } : { lo, hi };
}

export function toInternal(domain: Exclude<Domain, { kind: 'choice' }>, value: number): number {
  return domain.log ? Math.log(value) : value;
}

export function fromInternal(domain: Exclude<Domain, { kind: 'choice' }>, x: number): number {
  const v = domain.log ? Math.exp(x) : x;
  if (domain.kind === 'int') return Math.min(domain.max, Math.max(domain.min, Math.round(v)));
  return Math.min(domain.max, Math.max(domain.min, tidy(v)));
}

/** The points a grid tries for one parameter; null when the domain has no finite grid. */
export function gridValues(domain: Domain): SweepValue[] | null {
  if (domain.kind === 'choice') return domain.values;
  if (domain.kind === 'int' && domain.grid === null) {
    return domain.max - domain.min + 1 <= 100 ? Array.from({ length: domain.max - domain.min + 1 }, (_, i) => domain.min + i) : null;
  }
  if (domain.grid === null) return null;
  const n = domain.grid;
  const a = domain.log ? Math.log(domain.min) : domain.min;
  const b = domain.log ? Math.log(domain.max) : domain.max;
  const points = Array.from({ length: n }, (_, i) => {
    const x = a + ((b - a) * i) / (n - 1);
    const v = domain.log ? Math.exp(x) : x;
    return domain.kind === 'int' ? Math.round(v) : tidy(v);
  });
  return [...new Set(points)];
}

/** Grid points in all (the product); Infinity when a domain has no grid. */
export function gridSize(domains: readonly Domain[]): number {
  let n = 1;
  for (const d of domains) {
    const values = gridValues(d);
    if (!values) return Infinity;
    n *= values.length;
  }
  return n;
}

/**
 * The grid point a trial tries. Points are visited in a seeded shuffled order (as Optuna's grid sampler does), so a
 * budget smaller than the grid still spreads its trials over the whole grid.
 */
export function gridPoint(keys: readonly string[], domains: readonly Domain[], seed: number, trial: number): TrialParams {
  const lists = domains.map((d) => gridValues(d)!);
  const total = lists.reduce((n, l) => n * l.length, 1);
  const order = gridOrder(total, seed);
  let index = order[trial % total]!;
  const out: TrialParams = {};
  for (let i = lists.length - 1; i >= 0; i--) {
    const list = lists[i]!;
    out[keys[i]!] = list[index % list.length]!;
    index = Math.floor(index / list.length);
  }
  return Object.fromEntries(keys.map((k) => [k, out[k]!]));
}

const orders = new Map<string, number[]>();
function gridOrder(total: number, seed: number): number[] {
  const key = `${total}:${seed}`;
  let order = orders.get(key);
  if (!order) {
    order = permutation(total, trialRng(seed, 0, RNG_PURPOSE.grid));
    if (orders.size > 16) orders.clear();
    orders.set(key, order);
  }
  return order;
}

/** A random point: each parameter drawn independently, from a generator of its own per (seed, trial). */
export function randomPoint(keys: readonly string[], domains: readonly Domain[], seed: number, trial: number): TrialParams {
  const rng = trialRng(seed, trial, RNG_PURPOSE.sample);
  return Object.fromEntries(keys.map((k, i) => [k, sampleDomain(domains[i]!, rng)]));
}
