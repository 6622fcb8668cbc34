import type { LessonBudget } from '../../api/entities.js';
import { spreadOf } from '../../analysis/seeds.js';
import { isMeasuredRunStatus } from '../../runs/statuses.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonPlan, LessonRunNumbers, VerdictResult } from '../lesson.js';
import { armEntry, armNumbers, judge, leftOut, noNumbers, percent, points, seedCount, seriesAt, spreadText, thresholdText } from '../verdict.js';

/** The validation accuracy the race is to. */
export const RACE_TARGET = 0.9;
/** Smallest lead over SGD after the first epoch that counts (2 points). */
export const RACE_MIN_EFFECT = 0.02;

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const spec = mlp([128]);
  const epochs = small ? 3 : 8;
  const arm = (label: string, optimizer: string) => ({ label, spec, config: trainingConfig(epochs, 32, { scaleUnit: true, [optimizer]: true }) });
  return {
    dataset: mnist(small ? 1000 : 4000),
    // Each at its descriptor's default learning rate: SGD 0.01, momentum 0.01 (μ 0.9), Adam 0.001.
    arms: [arm('SGD', 'sgd'), arm('momentum', 'momentum'), arm('Adam', 'adam')],
    seeds: seedsFor(budget),
  };
}

/** Mean validation accuracy over the arm's usable runs at each epoch (null where no run has it). */
function meanCurve(runs: readonly LessonRunNumbers[], arm: number, epochs: number): (number | null)[] {
  const mine = runs.filter((r) => r.arm === arm && isMeasuredRunStatus(r.status));
  return Array.from({ length: epochs }, (_, e) => spreadOf(mine.map((r) => seriesAt('valAccuracy', e)(r)))?.mean ?? null);
}

function verdict(runs: readonly LessonRunNumbers[], p: LessonPlan): VerdictResult {
  const epochs = Math.max(...p.arms.map((a) => a.config.epochs));
  const first = p.arms.map((_, i) => armNumbers(runs, p, i, seriesAt('valAccuracy', 0)));
  const arms = first.map((a) => armEntry(a, 'valAccuracy after epoch 1'));
  const curves = p.arms.map((_, i) => meanCurve(runs, i, epochs));
  const race = first
    .map((a, i) => {
      const curve = curves[i]!;
      const values = curve.map((v) => (v === null ? '–' : percent(v))).join(', ');
      const reach = curve.findIndex((v) => v !== null && v >= RACE_TARGET);
      const when = reach < 0 ? `not within ${epochs}` : `${reach + 1}`;
      return `${a.label} ${values} (epochs to ${percent(RACE_TARGET)}: ${when})${leftOut(a)}`;
    })
    .join('; ');
  const intro = `Validation accuracy per epoch (mean over seeds): ${race}.`;
  const sgd = first[0]!;
  if (!sgd.spread) return { appeared: false, text: `${intro} Cannot tell: SGD has no numbers (${noNumbers(sgd)}).`, arms };
  const leads: string[] = [];
  let all = true;
  let weakest: { label: string; j: NonNullable<ReturnType<typeof judge>> } | null = null;
  for (const other of first.slice(1)) {
    const j = judge(sgd, other, RACE_MIN_EFFECT);
    if (!j) {
      leads.push(`${other.label} has no numbers (${noNumbers(other)})`);
      all = false;
      continue;
    }
    leads.push(`${other.label} ${points(j.effect)} (${seedCount(Math.min(sgd.values.length, other.values.length))}, ${spreadText(j, Math.min(sgd.values.length, other.values.length), (x) => `${(x * 100).toFixed(1)} points`)})`);
    if (!j.appeared) all = false;
    if (!weakest || j.effect - j.threshold < weakest.j.effect - weakest.j.threshold) weakest = { label: other.label, j };
  }
  const unit = (x: number) => `${(x * 100).toFixed(1)} points`;
  const lead = `After epoch 1, against SGD: ${leads.join(', ')}.`;
  if (!weakest) return { appeared: false, text: `${intro} ${lead} Cannot tell.`, arms };
  const conclusion = all
    ? `The effect appeared: both lead SGD by at least the threshold of ${thresholdText(weakest.j, RACE_MIN_EFFECT, unit)}.`
    : `No clear effect: ${weakest.label}'s lead is within the threshold of ${thresholdText(weakest.j, RACE_MIN_EFFECT, unit)}${leads.some((l) => l.includes('no numbers')) ? ', or an arm has no numbers' : ''}.`;
  return { appeared: all, text: `${intro} ${lead} ${conclusion}`, arms };
}

export const optimizerRaceLesson: Lesson = {
  info: {
    id: 'optimizer-race',
    letter: 'g',
    title: 'SGD vs momentum vs Adam race',
    claim:
      'Momentum builds up speed along consistent gradient directions and Adam also scales each weight\'s step to its gradient history: at their usual learning rates both should reach a given accuracy in fewer epochs than plain SGD.',
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['valAccuracy'],
  verdict,
};
