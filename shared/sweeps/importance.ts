// Which parameters mattered: for each, the share of the spread in the objective across trials that its values
// alone account for (η² of a one-way analysis of variance; a range is cut into up to 4 equal-count bins by rank),
// normalised so the shares sum to 1. Trials are compared at equal training: at the first ASHA rung when the sweep
// prunes, else the completed trials' final objective. A correlation-free, fANOVA-lite reading: it sees main
// effects, not interactions, and says nothing until at least 4 trials have a value.
import type { SweepDetail } from './entities.js';
import type { SweepValue } from './spec.js';

export interface Importance {
  key: string;
  /** η²: this parameter's share of the objective's variance (0–1). */
  eta2: number;
  /** Normalised over the parameters (sums to 1 when any is above 0). */
  share: number;
}

export const MIN_IMPORTANCE_TRIALS = 4;

/** η² of `values` grouped by `labels`. */
export function etaSquared(labels: readonly string[], values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const total = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  if (total <= 0) return 0;
  const groups = new Map<string, number[]>();
  labels.forEach((l, i) => groups.set(l, [...(groups.get(l) ?? []), values[i]!]));
  let between = 0;
  for (const g of groups.values()) {
    const m = g.reduce((a, b) => a + b, 0) / g.length;
    between += g.length * (m - mean) ** 2;
  }
  return Math.min(1, between / total);
}

/** Labels for one parameter's values: the value itself for a list, a rank bin (≤ 4 equal-count bins) for numbers. */
export function binLabels(values: readonly SweepValue[], numeric: boolean): string[] {
  if (!numeric) return values.map((v) => JSON.stringify(v));
  const distinct = new Set(values.map((v) => Number(v)));
  if (distinct.size <= 4) return values.map((v) => String(v));
  const order = values.map((v, i) => ({ v: Number(v), i })).sort((a, b) => a.v - b.v);
  const bins = Math.min(4, Math.floor(values.length / 2));
  const out = new Array<string>(values.length);
  order.forEach(({ i }, rank) => (out[i] = `b${Math.floor((rank * bins) / values.length)}`));
  return out;
}

export function parameterImportance(parameters: readonly { key: string; numeric: boolean }[], trials: readonly { params: Record<string, SweepValue>; value: number }[]): Importance[] {
  const usable = trials.filter((t) => Number.isFinite(t.value));
  const raw = parameters.map((p) => {
    const rows = usable.filter((t) => p.key in t.params);
    if (rows.length < MIN_IMPORTANCE_TRIALS) return { key: p.key, eta2: 0 };
    return { key: p.key, eta2: etaSquared(binLabels(rows.map((t) => t.params[p.key]!), p.numeric), rows.map((t) => t.value)) };
  });
  const sum = raw.reduce((a, r) => a + r.eta2, 0);
  return raw.map((r) => ({ ...r, share: sum > 0 ? r.eta2 / sum : 0 }));
}

/** The trials and values importance is read from (see the header), and at which epoch; null while too few. */
export function importanceInput(detail: SweepDetail): { epoch: number | null; trials: { params: Record<string, SweepValue>; value: number }[] } | null {
  const { sweep, trials } = detail;
  let rows: { params: Record<string, SweepValue>; value: number }[];
  let epoch: number | null = null;
  if (sweep.rungs.length) {
    epoch = sweep.rungs[0]!;
    rows = trials.flatMap((t) => {
      const r = t.rungs.find((x) => x.rung === 0);
      return r && r.value !== null ? [{ params: t.params, value: r.value }] : [];
    });
  } else {
    rows = trials.filter((t) => t.state === 'completed' && t.objective !== null).map((t) => ({ params: t.params, value: t.objective! }));
  }
  return rows.length >= MIN_IMPORTANCE_TRIALS ? { epoch, trials: rows } : null;
}
