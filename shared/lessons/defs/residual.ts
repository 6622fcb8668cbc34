import type { LessonBudget } from '../../api/entities.js';
import { describePlan, mlp, mnist, residualMlp, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonPlan } from '../lesson.js';
import { afterEpochs, compareWithBase, finalOf } from '../verdict.js';

/** Smallest gain in test accuracy that counts (2 points). */
export const RESIDUAL_MIN_EFFECT = 0.02;
const WIDTH = 64;

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const blocks = small ? 6 : 10;
  const epochs = small ? 2 : 5;
  // The same depth both ways: one dense layer, then 2 × blocks dense layers, plain or as residual blocks.
  const plainSpec = mlp(Array.from({ length: 1 + 2 * blocks }, () => WIDTH));
  plainSpec.name = `plain MLP, ${1 + 2 * blocks} hidden layers of ${WIDTH}`;
  const residualSpec = residualMlp(WIDTH, blocks);
  residualSpec.name = `residual MLP, ${1 + 2 * blocks} hidden layers of ${WIDTH}`;
  const config = trainingConfig(epochs, 32, { scaleUnit: true, momentum: true });
  return {
    dataset: mnist(small ? 1000 : 2000),
    arms: [
      { label: 'plain stack', spec: plainSpec, config },
      { label: 'residual blocks', spec: residualSpec, config },
    ],
    seeds: seedsFor(budget),
  };
}

export const residualLesson: Lesson = {
  info: {
    id: 'residual',
    letter: 'i',
    title: 'Deep plain stack vs residual blocks',
    claim:
      'In a deep plain stack the signal and its gradient shrink layer by layer, so the early layers barely learn; residual blocks add each block\'s input to its output, giving gradients a short path, so the same depth trains well.',
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['testAccuracy', 'valAccuracy'],
  verdict: (runs, p) =>
    compareWithBase({
      runs,
      plan: p,
      base: 0,
      measure: finalOf('testAccuracy'),
      metric: 'testAccuracy',
      what: 'test accuracy',
      when: afterEpochs(p),
      minEffect: RESIDUAL_MIN_EFFECT,
    }),
};
