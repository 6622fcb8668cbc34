import type { LessonBudget } from '../../api/entities.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonPlan } from '../lesson.js';
import { afterEpochs, alsoText, compareWithBase, finalOf, plain } from '../verdict.js';

/** Smallest gain in test accuracy that counts (0.5 points = 5 of the 1,000 test digits). */
export const DROPOUT_MIN_EFFECT = 0.005;

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const spec = small ? mlp([128]) : mlp([256, 256]);
  const epochs = small ? 3 : 15;
  const batch = small ? 32 : 64;
  const arm = (label: string, rate: number | null) => ({
    label,
    spec,
    config: trainingConfig(epochs, batch, { scaleUnit: true, adam: true, ...(rate === null ? {} : { dropout: { rate } }) }),
  });
  return {
    dataset: mnist(small ? 1000 : 2000),
    arms: [arm('dropout 0', null), arm('dropout 0.2', 0.2), arm('dropout 0.5', 0.5)],
    seeds: seedsFor(budget),
  };
}

export const dropoutLesson: Lesson = {
  info: {
    id: 'dropout',
    letter: 'c',
    title: 'Dropout 0 / 0.2 / 0.5',
    claim:
      'Zeroing random hidden units during training keeps a network from leaning on particular units, so it overfits less: with dropout the test accuracy should be higher than without.',
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['testAccuracy', 'testLoss', 'valAccuracy'],
  verdict: (runs, p) => {
    const result = compareWithBase({
      runs,
      plan: p,
      base: 0,
      measure: finalOf('testAccuracy'),
      metric: 'testAccuracy',
      what: 'test accuracy',
      when: afterEpochs(p),
      minEffect: DROPOUT_MIN_EFFECT,
    });
    result.text += alsoText(runs, p, finalOf('testLoss'), 'Test loss', (x) => plain(x));
    return result;
  },
};
