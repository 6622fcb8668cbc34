import type { LessonBudget } from '../../api/entities.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonPlan } from '../lesson.js';
import { afterEpochs, compareWithBase, finalOf, lastOf, points, seedCount } from '../verdict.js';
import { spreadOf } from '../../analysis/seeds.js';
import { isMeasuredRunStatus } from '../../runs/statuses.js';

/** Smallest gain in test accuracy that counts (0.5 points). */
export const ENSEMBLE_MIN_EFFECT = 0.005;

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const members = small ? 3 : 5;
  const spec = mlp([128]);
  const epochs = small ? 2 : 5;
  const tricks = { scaleUnit: true, adam: true };
  return {
    dataset: mnist(small ? 1000 : 4000),
    arms: [
      { label: 'single model', spec, config: trainingConfig(epochs, 32, tricks) },
      { label: `ensemble of ${members}`, spec, config: trainingConfig(epochs, 32, { ...tricks, ensemble: { members } }) },
    ],
    seeds: seedsFor(budget),
  };
}

export const ensembleLesson: Lesson = {
  info: {
    id: 'ensemble',
    letter: 'h',
    title: 'Five seeds vs their ensemble',
    claim:
      'Models trained from different seeds make partly independent mistakes, so averaging their predicted probabilities is more accurate than a single model: the ensemble should beat the mean single model\'s test accuracy.',
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['testAccuracy', 'valAccuracy', 'ensembleValAccuracy'],
  verdict: (runs, p) => {
    const result = compareWithBase({
      runs,
      plan: p,
      base: 0,
      measure: finalOf('testAccuracy'),
      metric: 'testAccuracy',
      what: 'test accuracy',
      when: afterEpochs(p),
      minEffect: ENSEMBLE_MIN_EFFECT,
    });
    // Paired, within each ensemble run: the whole ensemble against its first member on validation.
    const gains = runs
      .filter((r) => r.arm === 1 && isMeasuredRunStatus(r.status))
      .map((r) => {
        const whole = lastOf('ensembleValAccuracy')(r);
        const first = lastOf('valAccuracy')(r);
        return whole !== null && first !== null ? whole - first : null;
      });
    const paired = spreadOf(gains);
    if (paired) {
      result.text += ` Within the ensemble runs, the ensemble's validation accuracy is ${points(paired.mean)} over its first member's (${seedCount(paired.n)}).`;
    }
    return result;
  },
};
