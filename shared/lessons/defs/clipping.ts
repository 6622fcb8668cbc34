import type { LessonBudget } from '../../api/entities.js';
import { datasetRefShape } from '../../data/dataset-ref.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonPlan, LessonRunNumbers, VerdictResult } from '../lesson.js';
import {
  afterEpochs,
  armEntry,
  armNumbers,
  finalOf,
  judgedEntry,
  MIN_SEEDS,
  NOISE_FACTOR,
  percent,
  pointsUnit,
  type ArmNumbers,
  type Judgement,
} from '../verdict.js';

/** The learning rate: far too large for plain SGD on this network, so unclipped steps blow the weights up. */
export const CLIPPING_LEARNING_RATE = 2;
/** The global-norm thresholds θ the note suggests. */
export const CLIPPING_THRESHOLDS = [10, 1] as const;
/** A clipped arm learned when its test accuracy is at least this far above chance and above the unclipped arm's. */
export const CLIPPING_MIN_EFFECT = 0.2;

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const spec = small ? mlp([128, 128]) : mlp([256, 256]);
  const epochs = small ? 1 : 3;
  const tricks = { standardize: true, sgd: { learningRate: CLIPPING_LEARNING_RATE } };
  return {
    dataset: mnist(small ? 1000 : 2000),
    arms: [
      { label: 'no clipping', spec, config: trainingConfig(epochs, 32, tricks) },
      ...CLIPPING_THRESHOLDS.map((maxNorm) => ({ label: `clip norm θ=${maxNorm}`, spec, config: trainingConfig(epochs, 32, { ...tricks, clipNorm: { maxNorm } }) })),
    ],
    seeds: seedsFor(budget),
  };
}

const diverged = (a: ArmNumbers) => `${a.diverged} of ${a.planned} run${a.planned === 1 ? '' : 's'} diverged`;
const reached = (a: ArmNumbers) =>
  a.spread ? `; ${a.diverged ? 'those that finished' : 'it'} reached ${percent(a.spread.mean)}${a.spread.n > 1 ? ` ± ${pointsUnit(a.spread.std)}` : ''} test accuracy` : '';
const missing = (a: ArmNumbers) => (a.missing ? ` (${a.missing} failed or missing)` : '');

/**
 * Whether a clipped arm learned: no run diverged, and its mean test accuracy clears the threshold above the
 * reference (chance, or the unclipped arm's accuracy when that finished and is higher).
 */
function learned(arm: ArmNumbers, reference: number): Judgement | null {
  if (!arm.spread) return null;
  const noise = arm.spread.n > 1 ? arm.spread.std : 0;
  const threshold = Math.max(CLIPPING_MIN_EFFECT, NOISE_FACTOR * noise);
  const effect = arm.spread.mean - reference;
  const judged = arm.spread.n >= MIN_SEEDS || arm.diverged > 0;
  return { effect, noise, threshold, seeds: arm.spread.n, paired: false, appeared: !judged ? null : arm.diverged === 0 && effect >= threshold };
}

function verdict(runs: readonly LessonRunNumbers[], p: LessonPlan): VerdictResult {
  const measure = finalOf('testAccuracy');
  const arms = p.arms.map((_, i) => armNumbers(runs, p, i, measure));
  const [plainArm, ...clipped] = arms as [ArmNumbers, ...ArmNumbers[]];
  const chance = 1 / datasetRefShape(p.dataset).classes;
  const reference = Math.max(chance, plainArm.spread?.mean ?? 0);
  const referenceText = plainArm.spread && plainArm.spread.mean > chance ? `no clipping's ${percent(plainArm.spread.mean)}` : `chance (${percent(chance)})`;
  const when = afterEpochs(p);
  const sentences = arms.map((a) => `${a.label}: ${diverged(a)}${reached(a)}${missing(a)}.`);
  const judgements = clipped.map((a) => ({ arm: a, j: learned(a, reference) }));
  for (const { arm, j } of judgements) {
    if (!j) sentences.push(`${arm.label} has no test accuracy: it did not learn.`);
    else if (arm.diverged) sentences.push(`${arm.label} did not keep every run finite.`);
    else if (j.appeared === null) sentences.push(`${arm.label}: one seed, not judged.`);
    else if (!j.appeared && j.effect < CLIPPING_MIN_EFFECT / 2)
      sentences.push(`${arm.label} kept every run finite but stayed within ${pointsUnit(Math.abs(j.effect))} of ${referenceText}: finite is not the same as learning.`);
    else
      sentences.push(
        `${arm.label} is ${pointsUnit(j.effect)} above ${referenceText} (threshold ${pointsUnit(j.threshold)}: the larger of ${pointsUnit(CLIPPING_MIN_EFFECT)} and ${NOISE_FACTOR} × its seed spread)${j.appeared ? '' : ', not enough'}.`,
      );
  }
  const winners = judgements.filter((x) => x.j?.appeared === true).map((x) => x.arm.label);
  const anyNull = judgements.some((x) => x.j?.appeared === null);
  // Clipping shows only where the step size is the problem: the unclipped arm must have diverged or lagged.
  const plainFailed = plainArm.diverged > 0 || (plainArm.spread !== null && plainArm.spread.mean < chance + CLIPPING_MIN_EFFECT);
  let appeared: boolean | null;
  if (winners.length && plainFailed) {
    appeared = true;
    sentences.push(`The effect appeared: at learning rate ${CLIPPING_LEARNING_RATE}, ${winners.join(' and ')} learned where no clipping ${plainArm.diverged ? 'diverged' : 'did not'}.`);
  } else if (winners.length) {
    appeared = false;
    sentences.push(`No clear effect: the unclipped runs learned as well, so this learning rate did not need clipping.`);
  } else if (anyNull) {
    appeared = null;
    sentences.push('Not judged: one seed per arm.');
  } else {
    appeared = false;
    sentences.push(`No clear effect: no clipped arm learned at learning rate ${CLIPPING_LEARNING_RATE}.`);
  }
  return {
    appeared,
    text: sentences.join(' '),
    judged: judgements.map(({ arm, j }) => ({
      ...judgedEntry(`test accuracy ${when} with ${arm.label}, mean over seeds, minus ${referenceText}; a diverged run counts as not learned`, j, CLIPPING_MIN_EFFECT, pointsUnit),
      ...(j && arm.diverged ? { against: `every run finite, then ${pointsUnit(CLIPPING_MIN_EFFECT)} or ${NOISE_FACTOR} × its seed spread if larger` } : {}),
    })),
    arms: arms.map((a) => armEntry(a, 'testAccuracy')),
  };
}

export const clippingLesson: Lesson = {
  info: {
    id: 'clipping',
    letter: 'e',
    title: 'Gradient clipping θ=10 and θ=1 at a learning rate that diverges',
    claim: `With a learning rate far too large (SGD at ${CLIPPING_LEARNING_RATE}), steps overshoot, the weights blow up and the loss becomes NaN. Capping the gradient's global norm at θ (the note suggests 1 or 10) bounds every step to at most learning rate × θ: the run stays finite, and with a small enough θ it also learns. Judged on the test accuracy reached, not only on the absence of NaN.`,
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['testAccuracy', 'loss'],
  verdict,
};
