import type { LessonBudget } from '../../api/entities.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonPlan, LessonRunNumbers, VerdictResult } from '../lesson.js';
import { afterEpochs, allOf, armNumbers, compareWithBase, finalOf, pointsUnit, seedCount, type ArmNumbers } from '../verdict.js';

/** Smallest paired gain in test accuracy that counts (0.5 points). */
export const ENSEMBLE_MIN_EFFECT = 0.005;
export const ENSEMBLE_MEMBERS = 5;
export const ENSEMBLE_LEARNING_RATE = 0.01;

/**
 * The 95% points of the F distribution, F_CRITICAL_95[d1 − 1][d2 − 1] for d1, d2 = 1 … 9 degrees of freedom
 * (scipy.stats.f.ppf(0.95, d1, d2)): a variance ratio above it is a one-sided test at the 5% level that the
 * first variance is larger.
 */
export const F_CRITICAL_95: readonly (readonly number[])[] = [
  [161.45, 18.51, 10.13, 7.71, 6.61, 5.99, 5.59, 5.32, 5.12],
  [199.5, 19.0, 9.55, 6.94, 5.79, 5.14, 4.74, 4.46, 4.26],
  [215.71, 19.16, 9.28, 6.59, 5.41, 4.76, 4.35, 4.07, 3.86],
  [224.58, 19.25, 9.12, 6.39, 5.19, 4.53, 4.12, 3.84, 3.63],
  [230.16, 19.3, 9.01, 6.26, 5.05, 4.39, 3.97, 3.69, 3.48],
  [233.99, 19.33, 8.94, 6.16, 4.95, 4.28, 3.87, 3.58, 3.37],
  [236.77, 19.35, 8.89, 6.09, 4.88, 4.21, 3.79, 3.5, 3.29],
  [238.88, 19.37, 8.85, 6.04, 4.82, 4.15, 3.73, 3.44, 3.23],
  [240.54, 19.38, 8.81, 6.0, 4.77, 4.1, 3.68, 3.39, 3.18],
];

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const spec = mlp([128]);
  const epochs = small ? 1 : 2;
  // Adam at a brisk rate on few digits: single models then differ from seed to seed, the case averaging is for.
  const tricks = { scaleUnit: true, adam: { learningRate: ENSEMBLE_LEARNING_RATE } };
  return {
    dataset: mnist(small ? 500 : 1000),
    arms: [
      { label: 'single model', spec, config: trainingConfig(epochs, 32, tricks) },
      { label: `ensemble of ${ENSEMBLE_MEMBERS}`, spec, config: trainingConfig(epochs, 32, { ...tricks, ensemble: { members: ENSEMBLE_MEMBERS } }) },
    ],
    // A spread of spreads needs more seeds than a difference of means: five on the standard budget.
    seeds: seedsFor(budget, { standard: 5 }),
  };
}

/** Whether the ensemble's seed-to-seed variance is below the single model's (a one-sided F test at 5%). */
export function varianceReduction(single: ArmNumbers, ensemble: ArmNumbers): { ratio: number; critical: number; appeared: boolean | null; text: string } | null {
  if (!single.spread || !ensemble.spread) return null;
  const d1 = single.spread.n - 1;
  const d2 = ensemble.spread.n - 1;
  const spread = `single model ±${pointsUnit(single.spread.std)} (${seedCount(single.spread.n)}), ${ensemble.label} ±${pointsUnit(ensemble.spread.std)} (${seedCount(ensemble.spread.n)})`;
  if (d1 < 1 || d2 < 1) return { ratio: NaN, critical: NaN, appeared: null, text: `Seed-to-seed spread of test accuracy: ${spread}; one seed: not judged.` };
  const critical = F_CRITICAL_95[Math.min(d1, 9) - 1]![Math.min(d2, 9) - 1]!;
  const ratio = ensemble.spread.std > 0 ? single.spread.std ** 2 / ensemble.spread.std ** 2 : single.spread.std > 0 ? Infinity : 1;
  const appeared = ratio > critical;
  const ratioText = Number.isFinite(ratio) ? ratio.toFixed(1) : 'unbounded (the ensemble did not vary at all)';
  return {
    ratio,
    critical,
    appeared,
    text: `Seed-to-seed spread of test accuracy: ${spread}; variance ratio ${ratioText} ${appeared ? 'exceeds' : 'does not exceed'} ${critical} (the 95% point of the F distribution for these seed counts)${appeared ? ': the ensemble varies less from seed to seed' : ''}.`,
  };
}

function verdict(runs: readonly LessonRunNumbers[], p: LessonPlan): VerdictResult {
  const when = afterEpochs(p);
  // Member 1 of the ensemble with seed s is the single model with seed s (same initial weights, same batches):
  // the accuracy comparison is paired by seed.
  const accuracy = compareWithBase({ runs, plan: p, base: 0, measure: finalOf('testAccuracy'), metric: 'testAccuracy', what: 'test accuracy', when, minEffect: ENSEMBLE_MIN_EFFECT, paired: true });
  const [single, ensemble] = [0, 1].map((arm) => armNumbers(runs, p, arm, finalOf('testAccuracy'))) as [ArmNumbers, ArmNumbers];
  const variance = varianceReduction(single, ensemble);
  const appeared = allOf([accuracy.appeared, variance?.appeared ?? null]);
  return {
    appeared,
    text: `Accuracy: ${accuracy.text} ${variance ? variance.text : 'Seed-to-seed spread: cannot tell (an arm has no numbers).'}`,
    judged: [
      ...accuracy.judged,
      {
        quantity: `seed-to-seed variance of test accuracy ${when}, single model ÷ ensemble`,
        against: variance && Number.isFinite(variance.critical) ? `${variance.critical}, the 95% point of the F distribution for ${seedCount(single.spread!.n)} and ${seedCount(ensemble.spread!.n)}` : 'one seed: not judged (no spread to compare)',
        appeared: variance?.appeared ?? null,
      },
    ],
    arms: accuracy.arms,
  };
}

export const ensembleLesson: Lesson = {
  info: {
    id: 'ensemble',
    letter: 'h',
    title: 'Single models vs ensembles of five, seed by seed',
    claim:
      'Models trained from different seeds make partly independent mistakes, so averaging their predicted probabilities is more accurate than one model and depends less on the luck of one seed: with the same seeds, each ensemble should beat its own first member, and the ensembles\' test accuracy should vary less from seed to seed than single models\'.',
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['testAccuracy', 'valAccuracy', 'ensembleValAccuracy'],
  verdict,
};
