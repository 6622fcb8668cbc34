import type { LessonBudget } from '../../api/entities.js';
import { spreadOf } from '../../analysis/seeds.js';
import { isMeasuredRunStatus } from '../../runs/statuses.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonArm, LessonPlan, LessonRunNumbers, VerdictResult } from '../lesson.js';
import {
  allOf,
  armEntry,
  armNumbers,
  judge,
  judgedEntry,
  leftOut,
  noNumbers,
  percent,
  points,
  pointsUnit,
  seedCount,
  seriesAt,
  spreadText,
  thresholdText,
  type ArmNumbers,
  type Judgement,
} from '../verdict.js';

/** The validation accuracy the race is to. */
export const RACE_TARGET = 0.9;
/** Smallest lead over SGD after the first epoch that counts (2 points). */
export const RACE_MIN_EFFECT = 0.02;

/** Each optimizer with its small learning-rate grid; the descriptor's default is the middle value. */
export const RACE_GRID = [
  { id: 'sgd', label: 'SGD', rates: [0.01, 0.1, 0.5], defaultRate: 0.01 },
  { id: 'momentum', label: 'momentum', rates: [0.001, 0.01, 0.1], defaultRate: 0.01 },
  { id: 'adam', label: 'Adam', rates: [0.0001, 0.001, 0.01], defaultRate: 0.001 },
] as const;

const armLabel = (optimizer: string, rate: number, isDefault: boolean) => `${optimizer} LR ${rate}${isDefault ? ' (default)' : ''}`;

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const spec = mlp([128]);
  const epochs = small ? 1 : 3;
  const arms: LessonArm[] = RACE_GRID.flatMap((o) =>
    o.rates.map((rate) => ({
      label: armLabel(o.label, rate, rate === o.defaultRate),
      spec,
      config: trainingConfig(epochs, 32, { scaleUnit: true, [o.id]: { learningRate: rate } }),
    })),
  );
  return { dataset: mnist(small ? 500 : 2000), arms, seeds: seedsFor(budget) };
}

/** Mean validation accuracy over the arm's usable runs at each epoch (null where no run has it). */
function meanCurve(runs: readonly LessonRunNumbers[], arm: number, epochs: number): (number | null)[] {
  const mine = runs.filter((r) => r.arm === arm && isMeasuredRunStatus(r.status));
  return Array.from({ length: epochs }, (_, e) => spreadOf(mine.map((r) => seriesAt('valAccuracy', e)(r)))?.mean ?? null);
}

interface Choice {
  optimizer: string;
  arm: ArmNumbers;
}

/** Momentum and Adam against SGD, each at the arm chosen for it. */
function race(choices: Choice[], what: string): { sentence: string; appeared: boolean | null; weakest: Judgement | null } {
  const [sgd, ...others] = choices as [Choice, ...Choice[]];
  if (!sgd.arm.spread) return { sentence: `${what}: cannot tell, ${sgd.arm.label} has no numbers (${noNumbers(sgd.arm)}).`, appeared: null, weakest: null };
  const leads: string[] = [];
  const verdicts: (boolean | null)[] = [];
  let weakest: Judgement | null = null;
  const margin = (j: Judgement) => (j.appeared === null ? -Infinity : j.effect - j.threshold);
  for (const o of others) {
    const j = judge(sgd.arm, o.arm, RACE_MIN_EFFECT);
    if (!j) {
      leads.push(`${o.arm.label} has no numbers (${noNumbers(o.arm)})`);
      verdicts.push(o.arm.diverged === o.arm.planned ? false : null);
      continue;
    }
    leads.push(`${o.arm.label} ${points(j.effect)} (${seedCount(j.seeds)}, ${spreadText(j, pointsUnit)})`);
    verdicts.push(j.appeared);
    if (!weakest || margin(j) < margin(weakest)) weakest = j;
  }
  const appeared = allOf(verdicts);
  const verdictText =
    appeared === true
      ? `both lead by at least the threshold of ${thresholdText(weakest!, RACE_MIN_EFFECT, pointsUnit)}`
      : appeared === false
        ? `not both lead by the threshold${weakest ? ` of ${thresholdText(weakest, RACE_MIN_EFFECT, pointsUnit)}` : ''}`
        : 'not judged (one seed, or an arm without numbers)';
  return { sentence: `${what}, against ${sgd.arm.label}: ${leads.join(', ')}: ${verdictText}.`, appeared, weakest };
}

function verdict(runs: readonly LessonRunNumbers[], p: LessonPlan): VerdictResult {
  const epochs = Math.max(...p.arms.map((a) => a.config.epochs));
  const first = p.arms.map((_, i) => armNumbers(runs, p, i, seriesAt('valAccuracy', 0)));
  const curves = p.arms.map((_, i) => meanCurve(runs, i, epochs));
  const perArm = first
    .map((a, i) => {
      const curve = curves[i]!;
      const reach = curve.findIndex((v) => v !== null && v >= RACE_TARGET);
      return `${a.label} ${curve.map((v) => (v === null ? '–' : percent(v))).join(', ')}${epochs > 1 ? ` (to ${percent(RACE_TARGET)}: ${reach < 0 ? `not within ${epochs}` : `epoch ${reach + 1}`})` : ''}${leftOut(a)}`;
    })
    .join('; ');
  const intro = `Validation accuracy per epoch (mean over seeds): ${perArm}.`;

  // Arms in plan order: each optimizer's grid in turn.
  let index = 0;
  const groups = RACE_GRID.map((o) => {
    const arms = o.rates.map(() => first[index++]!);
    const defaultArm = arms[o.rates.indexOf(o.defaultRate as never)]!;
    // Tuned: the rate with the best mean after epoch 1 (every optimizer is chosen the same way, on the same number).
    const tuned = arms.reduce<ArmNumbers | null>((best, a) => (a.spread && (!best?.spread || a.spread.mean > best.spread.mean) ? a : best), null) ?? defaultArm;
    return { optimizer: o.label, defaultArm, tuned };
  });
  const atDefaults = race(groups.map((g) => ({ optimizer: g.optimizer, arm: g.defaultArm })), 'At the default learning rates');
  const atTuned = race(groups.map((g) => ({ optimizer: g.optimizer, arm: g.tuned })), 'At the best learning rate of each grid');
  const appeared = atTuned.appeared;
  const conclusion =
    appeared === true
      ? 'The effect appeared: momentum and Adam lead plain SGD after one epoch even when every optimizer has its best learning rate.'
      : appeared === false
        ? atDefaults.appeared === true
          ? "No clear effect at tuned learning rates: the lead at the defaults comes from SGD's default rate being small; tuned, plain SGD keeps up."
          : 'No clear effect: momentum and Adam do not both lead plain SGD clearly.'
        : 'Not judged: one seed per arm, or an arm without numbers.';
  const quantity = 'validation accuracy after epoch 1 (mean over seeds)';
  return {
    appeared,
    text: `${intro} ${atDefaults.sentence} ${atTuned.sentence} ${conclusion}`,
    judged: [
      { ...judgedEntry(`${quantity}, momentum and Adam above SGD, each at its default learning rate`, atDefaults.weakest, RACE_MIN_EFFECT, pointsUnit), appeared: atDefaults.appeared },
      {
        ...judgedEntry(`${quantity}, momentum and Adam above SGD, each at the best rate of its grid (chosen on this same number)`, atTuned.weakest, RACE_MIN_EFFECT, pointsUnit),
        appeared: atTuned.appeared,
      },
    ],
    arms: first.map((a) => armEntry(a, 'valAccuracy after epoch 1')),
  };
}

export const optimizerRaceLesson: Lesson = {
  info: {
    id: 'optimizer-race',
    letter: 'g',
    title: 'SGD vs momentum vs Adam, at default and at tuned learning rates',
    claim:
      "Momentum builds up speed along consistent gradient directions and Adam also scales each weight's step to its gradient history, so both should reach a given accuracy in fewer epochs than plain SGD. A fair race gives each its best learning rate: compared at their defaults and at the best of a small grid each, momentum and Adam should lead SGD after the first epoch.",
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['valAccuracy'],
  verdict,
};
