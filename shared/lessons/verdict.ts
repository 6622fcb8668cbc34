// How lessons turn measured numbers into a verdict. Every verdict compares arms by their mean over seeds and
// calls an effect real only when it clears a stated threshold that grows with the seed spread:
//
//   effect ≥ max(minimum effect of the lesson, NOISE_FACTOR × the larger seed standard deviation of the two arms)
//
// With one seed there is no spread, so the effect must clear the lesson's minimum alone (and the text says it
// rests on one seed). Runs that diverged or failed have no numbers: they are left out of means and named.
import { spreadOf, type Spread } from '../analysis/seeds.js';
import { isMeasuredRunStatus, layerMetricName, type EpochMetricName, type FinalMetricName, type LayerStatName } from '../runs/index.js';
import type { LessonPlan, LessonRunNumbers, VerdictResult } from './lesson.js';

/** An effect must be at least this many seed standard deviations (the larger arm's) to count. */
export const NOISE_FACTOR = 2;

export type Measure = (run: LessonRunNumbers) => number | null;

const finite = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A final metric (`testAccuracy`, …). */
export const finalOf =
  (name: FinalMetricName): Measure =>
  (run) =>
    finite(run.finalMetrics?.[name]);

/** A per-epoch series' value at an epoch (0-based). */
export const seriesAt =
  (name: EpochMetricName, epoch: number): Measure =>
  (run) =>
    finite(run.series[name]?.[epoch]);

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

/** What one arm measured. */
export interface ArmNumbers {
  arm: number;
  label: string;
  /** One number per run that had it. */
  values: number[];
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
  let diverged = 0;
  for (const run of mine) {
    if (run.status === 'diverged') {
      diverged++;
      continue;
    }
    // Only a run that trained to the end of its epochs (or was stopped) has numbers to use.
    const v = isMeasuredRunStatus(run.status) ? measure(run) : null;
    if (v !== null) values.push(v);
  }
  const planned = Math.max(plan.seeds.length, mine.length);
  return {
    arm,
    label: plan.arms[arm]?.label ?? `arm ${arm + 1}`,
    values,
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
  /** Signed so that positive is the claimed direction. */
  effect: number;
  /** The larger seed standard deviation of the two arms (0 with one seed each). */
  noise: number;
  threshold: number;
  appeared: boolean;
}

/** Compares `other` with `base`; `direction` +1 when higher is the claimed effect, -1 when lower is. */
export function judge(base: ArmNumbers, other: ArmNumbers, minEffect: number, direction: 1 | -1 = 1): Judgement | null {
  if (!base.spread || !other.spread) return null;
  const effect = direction * (other.spread.mean - base.spread.mean);
  const noise = Math.max(base.spread.n > 1 ? base.spread.std : 0, other.spread.n > 1 ? other.spread.std : 0);
  const threshold = Math.max(minEffect, NOISE_FACTOR * noise);
  return { effect, noise, threshold, appeared: effect >= threshold };
}

/** Accuracy differences in percentage points: `+0.8 points`, `-1.2 points`. */
export const points = (x: number): string => `${x >= 0 ? '+' : '-'}${Math.abs(x * 100).toFixed(1)} points`;
/** An accuracy: `97.3%`. */
export const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;
/** A seed count: `1 seed`, `3 seeds`. */
export const seedCount = (n: number): string => `${n} seed${n === 1 ? '' : 's'}`;
/** A loss or other plain number with three decimals, signed when asked. */
export const plain = (x: number, signed = false): string => `${signed && x >= 0 ? '+' : signed ? '-' : ''}${(signed ? Math.abs(x) : x).toFixed(3)}`;

/** `spread ±0.3` (in the unit of `format`) or `one seed, no spread`. */
export function spreadText(j: Judgement, seeds: number, format: (x: number) => string): string {
  return seeds > 1 ? `spread ±${format(j.noise)}` : 'one seed, no spread';
}

/** How the threshold was set, for the conclusion sentence. */
export function thresholdText(j: Judgement, minEffect: number, format: (x: number) => string): string {
  return `${format(j.threshold)} (the larger of ${format(minEffect)} and ${NOISE_FACTOR} × the seed spread)`;
}

export interface CompareOptions {
  runs: readonly LessonRunNumbers[];
  plan: LessonPlan;
  /** The arm the others are compared with. */
  base: number;
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
  /** Formats a difference (absolute, unsigned) in the metric's unit. */
  unit?: (x: number) => string;
  /** Formats a signed difference. */
  signed?: (x: number) => string;
}

/**
 * The common verdict: every other arm against the base arm on one number. The effect appeared when the best
 * other arm clears the threshold. Sentences: one per other arm with its size, seeds and spread, then the
 * conclusion, naming diverged or missing runs.
 */
export function compareWithBase(o: CompareOptions): VerdictResult {
  const direction = o.direction ?? 1;
  const unit = o.unit ?? ((x: number) => `${(x * 100).toFixed(1)} points`);
  const signed = o.signed ?? points;
  const arms = o.plan.arms.map((_, i) => armNumbers(o.runs, o.plan, i, o.measure));
  const entries = arms.map((a) => armEntry(a, o.metric));
  const base = arms[o.base]!;
  if (!base.spread) {
    return { appeared: false, text: `Cannot tell: ${base.label} has no ${o.what} (${noNumbers(base)}).`, arms: entries };
  }
  const sentences: string[] = [];
  let best: { arm: ArmNumbers; j: Judgement } | null = null;
  for (const other of arms) {
    if (other === base) continue;
    const j = judge(base, other, o.minEffect, direction);
    if (!j) {
      sentences.push(`${other.label}: no ${o.what} (${noNumbers(other)}).`);
      continue;
    }
    const seeds = Math.min(base.values.length, other.values.length);
    sentences.push(
      `${other.label}: ${signed(direction * j.effect)} ${o.what} vs ${base.label} ${o.when}, ${seedCount(other.values.length)} (${[spreadText(j, seeds, unit), leftOutText(other)].filter(Boolean).join('; ')}).`,
    );
    if (!best || j.effect - j.threshold > best.j.effect - best.j.threshold) best = { arm: other, j };
  }
  if (base.diverged || base.missing) sentences.push(`${base.label}: ${leftOutText(base)}.`);
  if (!best) return { appeared: false, text: `Cannot tell: ${sentences.join(' ')}`, arms: entries };
  const { arm, j } = best;
  const conclusion = j.appeared
    ? `The effect appeared: ${signed(direction * j.effect)} for ${arm.label} clears the threshold of ${thresholdText(j, o.minEffect, unit)}.`
    : `No clear effect: ${signed(direction * j.effect)} for ${arm.label} is ${j.effect < 0 ? 'the wrong way and ' : ''}within the threshold of ${thresholdText(j, o.minEffect, unit)}.`;
  return { appeared: j.appeared, text: `${sentences.join(' ')} ${conclusion}`, arms: entries };
}

/** `after 3 epochs` for the plan's arms (their common epoch count). */
export function afterEpochs(plan: LessonPlan): string {
  const epochs = Math.max(...plan.arms.map((a) => a.config.epochs));
  return `after ${epochs} epoch${epochs === 1 ? '' : 's'}`;
}

/** A sentence with each arm's mean of a second number, for context only: `Test loss (mean): dropout 0 0.320, …`. */
export function alsoText(runs: readonly LessonRunNumbers[], plan: LessonPlan, measure: Measure, what: string, format: (x: number) => string): string {
  const parts = plan.arms.flatMap((_, i) => {
    const a = armNumbers(runs, plan, i, measure);
    return a.spread ? [`${a.label} ${format(a.spread.mean)}`] : [];
  });
  return parts.length ? ` ${what} (mean, not judged): ${parts.join(', ')}.` : '';
}
