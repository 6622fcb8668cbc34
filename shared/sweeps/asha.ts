// Early pruning by asynchronous successive halving (ASHA, Li et al. 2020), in the stopping form Optuna's
// SuccessiveHalvingPruner and Ray Tune's ASHA scheduler use: rungs sit at r, rη, rη², … epochs (below the most a
// trial trains); when a trial reaches a rung, its objective there is compared with every value recorded at that
// rung so far (its own included), and it goes on only if it is among the best ⌊n/η⌋ of them (the best one while
// fewer than η have reported). Otherwise it is pruned: stopped at that rung. Decisions are recorded with their
// values, so a sweep rebuilt from its stored trials knows every decision it made.

/** The epochs (counted from 1) at which trials are judged: r·η^k below maxEpochs. */
export function ashaRungs(minEpochs: number, eta: number, maxEpochs: number): number[] {
  const rungs: number[] = [];
  for (let e = minEpochs; e < maxEpochs; e *= eta) {
    rungs.push(e);
    if (rungs.length > 64) break;
  }
  return rungs;
}

/** Lower is better: an objective to maximise is negated first; NaN (diverged) is the worst there is. */
export function lossOf(value: number | null, direction: 'min' | 'max'): number {
  if (value === null || Number.isNaN(value)) return Infinity;
  return direction === 'min' ? value : -value;
}

/**
 * Whether a trial with `value` at a rung goes on, given the values recorded at that rung before it (same scale:
 * lower is better, see lossOf).
 */
export function ashaPromotes(value: number, earlier: readonly number[], eta: number): boolean {
  if (!Number.isFinite(value) && value > 0) return false;
  const competing = [...earlier, value].sort((a, b) => a - b);
  const keep = Math.max(1, Math.floor(competing.length / eta));
  return value <= competing[keep - 1]!;
}

export interface RungRecord {
  trial: number;
  /** Index into the rungs. */
  rung: number;
  value: number;
  promoted: boolean;
}

/**
 * Runs ASHA over curves arriving in a given order (tests and the bench): each event is (trial, rung index, value);
 * returns every decision. A trial pruned at a rung reports nothing after it.
 */
export function simulateAsha(events: readonly { trial: number; rung: number; value: number }[], eta: number): RungRecord[] {
  const byRung = new Map<number, number[]>();
  const pruned = new Set<number>();
  const out: RungRecord[] = [];
  for (const e of events) {
    if (pruned.has(e.trial)) continue;
    const earlier = byRung.get(e.rung) ?? [];
    const promoted = ashaPromotes(e.value, earlier, eta);
    byRung.set(e.rung, [...earlier, e.value]);
    out.push({ trial: e.trial, rung: e.rung, value: e.value, promoted });
    if (!promoted) pruned.add(e.trial);
  }
  return out;
}
