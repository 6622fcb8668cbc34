import { canonicalJson } from './canonical.js';
import { normalizedConfig, type RunSetup } from './config-diff.js';

/** Mean and spread of one number over seeds. */
export interface Spread {
  n: number;
  mean: number;
  /** Sample standard deviation (0 for one value). */
  std: number;
  min: number;
  max: number;
}

/** A curve over seeds: per x, mean ± std and min/max (for the band); NaN/null points are skipped. */
export interface Band {
  x: number[];
  /** NaN at an x where no curve has a value (n 0), likewise std, min and max. */
  mean: number[];
  std: number[];
  min: number[];
  max: number[];
  /** Seeds that had a value at each x. */
  n: number[];
}

const usable = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Mean, sample std, min and max of the finite values (null, NaN and infinities skipped); null when none is left. */
export function spreadOf(values: readonly (number | null)[]): Spread | null {
  const xs = values.filter(usable);
  const n = xs.length;
  if (n === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { n, mean, std: Math.sqrt(variance), min: Math.min(...xs), max: Math.max(...xs) };
}

/**
 * Aggregates curves (x ascending, y aligned with x) over seeds; x is the union of all curves' x values. A curve
 * contributes at an x only where it has a finite y there (a repeated x: its last y).
 */
export function aggregateCurves(curves: ReadonlyArray<{ x: readonly number[]; y: readonly (number | null)[] }>): Band {
  const maps = curves.map((c) => {
    const m = new Map<number, number | null>();
    c.x.forEach((x, i) => m.set(x, c.y[i] ?? null));
    return m;
  });
  const x = [...new Set(curves.flatMap((c) => c.x))].sort((a, b) => a - b);
  const band: Band = { x, mean: [], std: [], min: [], max: [], n: [] };
  for (const at of x) {
    const s = spreadOf(maps.map((m) => m.get(at) ?? null));
    band.mean.push(s ? s.mean : NaN);
    band.std.push(s ? s.std : NaN);
    band.min.push(s ? s.min : NaN);
    band.max.push(s ? s.max : NaN);
    band.n.push(s ? s.n : 0);
  }
  return band;
}

/**
 * Groups runs that differ only in their seed: the key is the canonical JSON of everything but the seed.
 * Returns groups in the order of their first run.
 */
export function groupBySetup<T>(items: readonly T[], setupKeyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = setupKeyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

/**
 * A ready-made key for `groupBySetup`: the canonical JSON of the spec, the config without its seed and the
 * dataset. The backend is left out (the same setup on another backend is still the same experiment).
 */
export function setupKey(setup: RunSetup): string {
  const { seed: _seed, ...config } = normalizedConfig(setup.config);
  return canonicalJson({ spec: setup.spec, config, dataset: setup.dataset });
}
