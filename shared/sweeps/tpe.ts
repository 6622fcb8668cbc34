// The Tree-structured Parzen Estimator (Bergstra et al. 2011), as hyperopt and Optuna run it by default: the
// trials so far are split into the best γ fraction ("good") and the rest; each parameter gets a Parzen density
// from the good trials, l(x), and one from the rest, g(x) (a truncated-normal mixture for ranges, smoothed counts
// for lists, each with a flat prior); candidates are drawn from l and the one with the largest l(x)/g(x) is tried.
// Parameters are modelled independently (univariate TPE). Pure and seeded: the suggestion is a function of the
// observations and the generator, so a sweep rebuilt from its stored trials suggests exactly the same values.
import { fromInternal, internalBounds, toInternal, type Domain, type TrialParams } from './space.js';
import { normal } from './rng.js';

export interface TpeObservation {
  params: TrialParams;
  /** Lower is better; NaN or ±Infinity for a trial that diverged or failed. */
  value: number;
  /** Ran its full budget (not pruned). */
  complete: boolean;
  /** Epochs it trained: a pruned trial is judged at its last rung, after every complete one. */
  epochs: number;
}

export interface TpeOptions {
  /** Candidates drawn from l(x) per parameter (default 24). */
  candidates?: number;
  /** Fraction of trials counted as good (default 0.25; at least 1, at most 25 trials). */
  gamma?: number;
  /** Weight of the flat prior in each density, against 1 per observation (default 1). */
  priorWeight?: number;
}

export const TPE_DEFAULTS = { candidates: 24, gamma: 0.25, priorWeight: 1 } as const;

/** The good trials first: complete ones by value, then pruned ones by epochs reached (most first) and value. */
export function splitObservations(observations: readonly TpeObservation[], gamma: number): { below: TpeObservation[]; above: TpeObservation[] } {
  const rank = (o: TpeObservation): [number, number, number, number] => [
    Number.isFinite(o.value) ? 0 : 1,
    o.complete ? 0 : 1,
    o.complete ? 0 : -o.epochs,
    Number.isFinite(o.value) ? o.value : 0,
  ];
  const ordered = observations
    .map((o, i) => ({ o, r: rank(o), i }))
    .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.r[2] - b.r[2] || a.r[3] - b.r[3] || a.i - b.i)
    .map((x) => x.o);
  const nBelow = Math.min(25, Math.max(1, Math.ceil(gamma * ordered.length)));
  return { below: ordered.slice(0, nBelow), above: ordered.slice(nBelow) };
}

/** The next trial's values. */
export function tpeSuggest(
  keys: readonly string[],
  domains: readonly Domain[],
  observations: readonly TpeObservation[],
  rng: () => number,
  options: TpeOptions = {},
): TrialParams {
  const candidates = options.candidates ?? TPE_DEFAULTS.candidates;
  const priorWeight = options.priorWeight ?? TPE_DEFAULTS.priorWeight;
  const { below, above } = splitObservations(observations, options.gamma ?? TPE_DEFAULTS.gamma);
  const out: TrialParams = {};
  keys.forEach((key, i) => {
    const domain = domains[i]!;
    const has = (o: TpeObservation) => key in o.params;
    const good = below.filter(has).map((o) => o.params[key]!);
    const bad = above.filter(has).map((o) => o.params[key]!);
    if (domain.kind === 'choice') {
      const index = (v: unknown) => domain.values.findIndex((x) => x === v);
      const l = categorical(domain.values.length, good.map(index), priorWeight);
      const g = categorical(domain.values.length, bad.map(index), priorWeight);
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < candidates; c++) {
        const k = drawIndex(l, rng);
        const score = Math.log(l[k]!) - Math.log(g[k]!);
        if (score > bestScore) [best, bestScore] = [k, score];
      }
      out[key] = domain.values[best]!;
      return;
    }
    const { lo, hi } = internalBounds(domain);
    const l = parzen(good.map((v) => toInternal(domain, v as number)), lo, hi, priorWeight);
    const g = parzen(bad.map((v) => toInternal(domain, v as number)), lo, hi, priorWeight);
    let best = (lo + hi) / 2;
    let bestScore = -Infinity;
    for (let c = 0; c < candidates; c++) {
      const x = sampleMixture(l, lo, hi, rng);
      const score = logDensity(l, x, lo, hi) - logDensity(g, x, lo, hi);
      if (score > bestScore) [best, bestScore] = [x, score];
    }
    out[key] = fromInternal(domain, best);
  });
  return out;
}

// ---- densities ----

export interface Mixture {
  mus: number[];
  sigmas: number[];
  weights: number[];
}

/**
 * hyperopt's adaptive Parzen estimator: one normal per observation, its width the larger gap to its neighbours
 * (the prior counted among them), clipped to [range / min(100, n + 1), range]; plus the prior N(mid, range).
 */
export function parzen(points: readonly number[], lo: number, hi: number, priorWeight: number): Mixture {
  const range = hi - lo;
  const priorMu = (lo + hi) / 2;
  const all = [...points.map((mu) => ({ mu, prior: false })), { mu: priorMu, prior: true }].sort((a, b) => a.mu - b.mu);
  const minSigma = range / Math.min(100, all.length + 1);
  const mus: number[] = [];
  const sigmas: number[] = [];
  const weights: number[] = [];
  all.forEach((p, i) => {
    let sigma: number;
    if (p.prior) sigma = range;
    else {
      const left = i > 0 ? p.mu - all[i - 1]!.mu : 0;
      const right = i < all.length - 1 ? all[i + 1]!.mu - p.mu : 0;
      sigma = Math.min(range, Math.max(minSigma, left, right));
    }
    mus.push(p.mu);
    sigmas.push(sigma);
    weights.push(p.prior ? priorWeight : 1);
  });
  const total = weights.reduce((a, b) => a + b, 0);
  return { mus, sigmas, weights: weights.map((w) => w / total) };
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log of the mixture's density at x, each normal truncated to [lo, hi]. */
export function logDensity(m: Mixture, x: number, lo: number, hi: number): number {
  let sum = 0;
  for (let i = 0; i < m.mus.length; i++) {
    const mu = m.mus[i]!;
    const s = m.sigmas[i]!;
    const z = (x - mu) / s;
    const mass = Math.max(1e-12, phi((hi - mu) / s) - phi((lo - mu) / s));
    sum += m.weights[i]! * Math.exp(-0.5 * z * z - LOG_SQRT_2PI) / (s * mass);
  }
  return Math.log(Math.max(sum, 1e-300));
}

function sampleMixture(m: Mixture, lo: number, hi: number, rng: () => number): number {
  const k = drawIndex(m.weights, rng);
  const mu = m.mus[k]!;
  const s = m.sigmas[k]!;
  for (let tries = 0; tries < 64; tries++) {
    const x = mu + s * normal(rng);
    if (x >= lo && x <= hi) return x;
  }
  return Math.min(hi, Math.max(lo, mu));
}

/** Smoothed counts: each category gets priorWeight / k plus its count, normalised. */
export function categorical(k: number, observed: readonly number[], priorWeight: number): number[] {
  const w = new Array<number>(k).fill(priorWeight / k);
  for (const i of observed) if (i >= 0 && i < k) w[i]! += 1;
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

function drawIndex(weights: readonly number[], rng: () => number): number {
  let u = rng();
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/** The standard normal CDF (Abramowitz & Stegun 7.1.26 for erf; error below 1.5e-7). */
export function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
