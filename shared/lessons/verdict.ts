// How lessons turn measured numbers into a verdict. Every verdict names the quantity it judges and calls an
// effect real only when it clears a stated threshold that grows with the spread between seeds:
//
//   effect ≥ max(minimum effect of the lesson, NOISE_FACTOR × spread)
//
// where the spread is the larger seed standard deviation of the two arms (unpaired), or the standard deviation
// of the per-seed differences when the arms share their seeds and the comparison is paired. With fewer than
// MIN_SEEDS values there is no spread to compare against: such a comparison is not judged (appeared null),
// whatever its size. Runs that diverged or failed have no numbers: they are left out of means and named.
import type { JudgedQuantity } from '../api/entities.js';
import { spreadOf, type Spread } from '../analysis/seeds.js';
import {
  initLayerMetricName,
  isMeasuredRunStatus,
  layerMetricName,
  type EpochMetricName,
  type FinalMetricName,
  type LayerStatName,
} from '../runs/index.js';
import type { LessonPlan, LessonRunNumbers, VerdictResult } from './lesson.js';

/** An effect must be at least this many standard deviations of the spread to count. */
export const NOISE_FACTOR = 2;
/** Fewest values per arm (or pairs) a comparison is judged on: one gives no spread. */
export const MIN_SEEDS = 2;

export type Measure = (run: LessonRunNumbers) => number | null;

const finite = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A final metric (`testAccuracy`, …). */
export const finalOf =
  (name: FinalMetricName): Measure =>
  (run) =>
    finite(run.finalMetrics?.[name]);

/** `a − b` of two measures (the train/test gap: `difference(finalOf('testLoss'), finalOf('loss'))`). */
export const difference =
  (a: Measure, b: Measure): Measure =>
  (run) => {
    const x = a(run);
    const y = b(run);
    return x === null || y === null ? null : x - y;
  };

/** A per-epoch series' value at an epoch (0-based). */
export const seriesAt =
  (name: EpochMetricName, epoch: number): Measure =>
  (run) =>
    finite(run.series[name]?.[epoch]);

/** The mean of a per-epoch series over epochs [from, to) (0-based); null unless every one of them has a value. */
export const meanOver =
  (name: EpochMetricName, from: number, to: number): Measure =>
  (run) => {
    let sum = 0;
    for (let e = from; e < to; e++) {
      const v = finite(run.series[name]?.[e]);
      if (v === null) return null;
      sum += v;
    }
    return to > from ? sum / (to - from) : null;
  };

/** A per-epoch series' last finite value. */
export const lastOf =
  (name: EpochMetricName): Measure =>
  (run) => {
    const values = run.series[name] ?? [];
    for (let i = values.length - 1; i >= 0; i--) if (finite(values[i]) !== null) return values[i]!;
    return null;
  };

/** The per-epoch series of a layer statistic; the engine writes paths as `layers[2]`, older data as `layers.2`. */
export function layerSeries(run: LessonRunNumbers, path: string, stat: LayerStatName): (number | null)[] | undefined {
  return run.series[layerMetricName(path, stat)] ?? run.series[layerMetricName(path.replace(/\[(\d+)\]/g, '.$1'), stat)];
}

/** A layer statistic of the freshly initialised model (recorded once, before any step); null when absent. */
export function initLayerStat(run: LessonRunNumbers, path: string, stat: LayerStatName): number | null {
  return finite(run.series[initLayerMetricName(path, stat)]?.[0]);
}

/** What one arm measured. */
export interface ArmNumbers {
  arm: number;
  label: string;
  /** One number per run that had it, with the run's seed. */
  values: number[];
  seeds: number[];
  spread: Spread | null;
  /** Runs planned (one per seed). */
  planned: number;
  diverged: number;
  /** Planned runs without the number that did not diverge: failed, interrupted, unfinished or not reported. */
  missing: number;
}

export function armNumbers(runs: readonly LessonRunNumbers[], plan: LessonPlan, arm: number, measure: Measure): ArmNumbers {
  const mine = runs.filter((r) => r.arm === arm);
  const values: number[] = [];
  const seeds: number[] = [];
  let diverged = 0;
  for (const run of mine) {
    if (run.status === 'diverged') {
      diverged++;
      continue;
    }
    // Only a run that trained to the end of its epochs (or was stopped) has numbers to use.
    const v = isMeasuredRunStatus(run.status) ? measure(run) : null;
    if (v !== null) {
      values.push(v);
      seeds.push(run.seed);
    }
  }
  const planned = Math.max(plan.seeds.length, mine.length);
  return {
    arm,
    label: plan.arms[arm]?.label ?? `arm ${arm + 1}`,
    values,
    seeds,
    spread: spreadOf(values),
    planned,
    diverged,
    missing: planned - values.length - diverged,
  };
}

/** The verdict's per-arm entry: mean, seed std (null below two seeds), seeds with a number. */
export function armEntry(a: ArmNumbers, metric: string): VerdictResult['arms'][number] {
  return {
    label: a.label,
    metric,
    mean: a.spread ? a.spread.mean : null,
    spread: a.spread && a.spread.n > 1 ? a.spread.std : null,
    seeds: a.values.length,
  };
}

/** `1 of 3 diverged, 1 of 3 failed or missing, left out`, or `` when every run has its number. */
export function leftOutText(a: ArmNumbers): string {
  const parts: string[] = [];
  if (a.diverged) parts.push(`${a.diverged} of ${a.planned} diverged`);
  if (a.missing) parts.push(`${a.missing} of ${a.planned} failed or missing`);
  return parts.length ? `${parts.join(', ')}, left out` : '';
}

/** ` (1 of 3 diverged, left out)` or ``. */
export function leftOut(a: ArmNumbers): string {
  const text = leftOutText(a);
  return text ? ` (${text})` : '';
}

/** Why an arm has no number at all: `every run diverged`, `2 diverged, 1 failed or missing`. */
export function noNumbers(a: ArmNumbers): string {
  if (a.diverged === a.planned) return 'every run diverged';
  if (a.missing === a.planned) return 'every run failed or is missing';
  return `${a.diverged} diverged, ${a.missing} failed or missing`;
}

export interface Judgement {
  /** Signed so that positive is the claimed direction (the mean of the per-seed differences when paired). */
  effect: number;
  /** The spread compared against: the larger seed std of the two arms, or the std of the paired differences. */
  noise: number;
  threshold: number;
  /** Values (or pairs) the comparison rests on: the smaller arm's. */
  seeds: number;
  paired: boolean;
  /** null: not judged (fewer than MIN_SEEDS values or pairs). */
  appeared: boolean | null;
}

function judgement(effect: number, noise: number, seeds: number, paired: boolean, minEffect: number): Judgement {
  const threshold = Math.max(minEffect, NOISE_FACTOR * noise);
  return { effect, noise, threshold, seeds, paired, appeared: seeds < MIN_SEEDS ? null : effect >= threshold };
}

/** Compares `other` with `base` on their means; `direction` +1 when higher is the claimed effect, -1 when lower is. */
export function judge(base: ArmNumbers, other: ArmNumbers, minEffect: number, direction: 1 | -1 = 1): Judgement | null {
  if (!base.spread || !other.spread) return null;
  const effect = direction * (other.spread.mean - base.spread.mean);
  const noise = Math.max(base.spread.n > 1 ? base.spread.std : 0, other.spread.n > 1 ? other.spread.std : 0);
  return judgement(effect, noise, Math.min(base.spread.n, other.spread.n), false, minEffect);
}

/**
 * Compares `other` with `base` seed by seed (both arms ran the same seeds): the effect is the mean of the
 * per-seed differences and the spread their standard deviation, so what the seed does to both arms alike
 * (the shuffling, the initial weights) cancels out.
 */
export function judgePaired(base: ArmNumbers, other: ArmNumbers, minEffect: number, direction: 1 | -1 = 1): Judgement | null {
  const baseBySeed = new Map(base.seeds.map((seed, i) => [seed, base.values[i]!]));
  const diffs = other.seeds.flatMap((seed, i) => (baseBySeed.has(seed) ? [direction * (other.values[i]! - baseBySeed.get(seed)!)] : []));
  const spread = spreadOf(diffs);
  if (!spread) return null;
  return judgement(spread.mean, spread.n > 1 ? spread.std : 0, spread.n, true, minEffect);
}

/** Accuracy differences in percentage points: `+0.8 points`, `-1.2 points`. */
export const points = (x: number): string => `${x >= 0 ? '+' : '-'}${Math.abs(x * 100).toFixed(1)} points`;
/** An accuracy difference without sign: `0.8 points`. */
export const pointsUnit = (x: number): string => `${(x * 100).toFixed(1)} points`;
/** An accuracy: `97.3%`. */
export const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;
/** A seed count: `1 seed`, `3 seeds`. */
export const seedCount = (n: number): string => `${n} seed${n === 1 ? '' : 's'}`;
/** A loss or other plain number with three decimals, signed when asked. */
export const plain = (x: number, signed = false): string => `${signed && x >= 0 ? '+' : signed ? '-' : ''}${(signed ? Math.abs(x) : x).toFixed(3)}`;

/** What a spread is called in the text. */
function spreadName(j: Judgement): string {
  return j.paired ? 'the spread of the per-seed differences' : 'the larger seed spread';
}

/** `spread ±0.3 points` / `paired, spread ±0.3 points` / `one seed, no spread`. */
export function spreadText(j: Judgement, format: (x: number) => string): string {
  if (j.seeds < MIN_SEEDS) return j.paired ? 'one pair, no spread' : 'one seed, no spread';
  return `${j.paired ? 'paired by seed, ' : ''}spread ±${format(j.noise)}`;
}

/** How the threshold was set, for the conclusion sentence. */
export function thresholdText(j: Judgement, minEffect: number, format: (x: number) => string): string {
  return `${format(j.threshold)} (the larger of ${format(minEffect)} and ${NOISE_FACTOR} × ${spreadName(j)})`;
}

/** What a judged difference was compared against, for the verdict's `judged` list. */
export function againstText(j: Judgement | null, minEffect: number, format: (x: number) => string): string {
  if (!j) return 'no numbers to compare';
  if (j.appeared === null) return `${j.paired ? 'one pair' : 'one seed'}: not judged (no spread to compare against)`;
  return `${format(minEffect)}, or ${NOISE_FACTOR} × ${spreadName(j)} (±${format(j.noise)}) if larger`;
}

/** The verdict's entry for one judged quantity. */
export function judgedEntry(quantity: string, j: Judgement | null, minEffect: number, format: (x: number) => string): JudgedQuantity {
  return { quantity, against: againstText(j, minEffect, format), appeared: j ? j.appeared : null };
}

/** Several judged parts into one: false if any part is false, else null if any is not judged, else true. */
export function allOf(parts: readonly (boolean | null)[]): boolean | null {
  if (parts.some((p) => p === false)) return false;
  if (parts.some((p) => p === null) || parts.length === 0) return null;
  return true;
}

/** The conclusion sentence for one judged comparison of `label` against its base. */
export function conclusion(j: Judgement, label: string, minEffect: number, unit: (x: number) => string, signed: (x: number) => string, direction: 1 | -1): string {
  const size = `${signed(direction * j.effect)} for ${label}`;
  if (j.appeared === null) return `Not judged: ${size} rests on ${j.paired ? 'one pair' : 'one seed'}, with no spread to compare it against.`;
  if (j.appeared) return `The effect appeared: ${size} clears the threshold of ${thresholdText(j, minEffect, unit)}.`;
  return `No clear effect: ${size} is ${j.effect < 0 ? 'the wrong way and ' : ''}within the threshold of ${thresholdText(j, minEffect, unit)}.`;
}

export interface CompareOptions {
  runs: readonly LessonRunNumbers[];
  plan: LessonPlan;
  /** The arm the others are compared with. */
  base: number;
  /** The arms compared with it (default: every other arm). */
  others?: number[];
  measure: Measure;
  /** The metric name reported per arm (`testAccuracy`). */
  metric: string;
  /** What it is called in the text: `test accuracy`. */
  what: string;
  /** e.g. `after 3 epochs`. */
  when: string;
  minEffect: number;
  /** +1: the claim is that the other arms are higher; -1: lower. */
  direction?: 1 | -1;
  /** Seed by seed (the arms share their seeds): see judgePaired. */
  paired?: boolean;
  /** Formats a difference (absolute, unsigned) in the metric's unit. */
  unit?: (x: number) => string;
  /** Formats a signed difference. */
  signed?: (x: number) => string;
}

/**
 * The common verdict: other arms against the base arm on one number. The effect appeared when the best
 * other arm clears the threshold. Sentences: one per other arm with its size, seeds and spread, then the
 * conclusion, naming diverged or missing runs.
 */
export function compareWithBase(o: CompareOptions): VerdictResult {
  const direction = o.direction ?? 1;
  const unit = o.unit ?? pointsUnit;
  const signed = o.signed ?? points;
  const arms = o.plan.arms.map((_, i) => armNumbers(o.runs, o.plan, i, o.measure));
  const entries = arms.map((a) => armEntry(a, o.metric));
  const base = arms[o.base]!;
  const quantity = `${o.what} ${o.when} (${o.paired ? 'paired by seed' : 'mean over seeds'})`;
  if (!base.spread) {
    return { appeared: null, text: `Cannot tell: ${base.label} has no ${o.what} (${noNumbers(base)}).`, judged: [judgedEntry(quantity, null, o.minEffect, unit)], arms: entries };
  }
  const sentences: string[] = [];
  let best: { arm: ArmNumbers; j: Judgement } | null = null;
  const rank = (j: Judgement) => (j.appeared === null ? -Infinity : j.effect - j.threshold);
  for (const index of o.others ?? arms.map((_, i) => i).filter((i) => i !== o.base)) {
    const other = arms[index]!;
    const j = (o.paired ? judgePaired : judge)(base, other, o.minEffect, direction);
    if (!j) {
      sentences.push(`${other.label}: no ${o.what} (${noNumbers(other)}).`);
      continue;
    }
    sentences.push(
      // Paired, the comparison rests on the seeds both arms have.
      `${other.label}: ${signed(direction * j.effect)} ${o.what} vs ${base.label} ${o.when}, ${seedCount(j.paired ? j.seeds : other.values.length)} (${[spreadText(j, unit), leftOutText(other)].filter(Boolean).join('; ')}).`,
    );
    if (!best || rank(j) > rank(best.j) || (rank(j) === rank(best.j) && j.effect > best.j.effect)) best = { arm: other, j };
  }
  if (base.diverged || base.missing) sentences.push(`${base.label}: ${leftOutText(base)}.`);
  if (!best) return { appeared: null, text: `Cannot tell: ${sentences.join(' ')}`, judged: [judgedEntry(quantity, null, o.minEffect, unit)], arms: entries };
  const { arm, j } = best;
  return {
    appeared: j.appeared,
    text: `${sentences.join(' ')} ${conclusion(j, arm.label, o.minEffect, unit, signed, direction)}`,
    judged: [judgedEntry(quantity, j, o.minEffect, unit)],
    arms: entries,
  };
}

/** `after 3 epochs` for the plan's arms (their common epoch count). */
export function afterEpochs(plan: LessonPlan): string {
  const epochs = Math.max(...plan.arms.map((a) => a.config.epochs));
  return `after ${epochs} epoch${epochs === 1 ? '' : 's'}`;
}

/** A sentence with each arm's mean of a second number, for context only: `Test accuracy (mean, not judged): …`. */
export function alsoText(runs: readonly LessonRunNumbers[], plan: LessonPlan, measure: Measure, what: string, format: (x: number) => string): string {
  const parts = plan.arms.flatMap((_, i) => {
    const a = armNumbers(runs, plan, i, measure);
    return a.spread ? [`${a.label} ${format(a.spread.mean)}`] : [];
  });
  return parts.length ? ` ${what} (mean, not judged): ${parts.join(', ')}.` : '';
}
