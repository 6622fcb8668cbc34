import type { LessonBudget } from '../../api/entities.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonPlan } from '../lesson.js';
import { afterEpochs, compareWithBase, finalOf } from '../verdict.js';

/** Smallest gain in test accuracy that counts (0.5 points). */
export const LR_DECAY_MIN_EFFECT = 0.005;
export const LR_DECAY_GAMMA = 0.98;

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const spec = mlp([128]);
  const epochs = small ? 3 : 20;
  const tricks = { scaleUnit: true, sgd: { learningRate: 0.1 } };
  return {
    dataset: mnist(small ? 1000 : 4000),
    arms: [
      { label: 'constant LR', spec, config: trainingConfig(epochs, 32, tricks) },
      { label: `LR ×${LR_DECAY_GAMMA} per epoch`, spec, config: trainingConfig(epochs, 32, { ...tricks, lrExponential: { gamma: LR_DECAY_GAMMA } }) },
    ],
    seeds: seedsFor(budget),
  };
}

export const lrDecayLesson: Lesson = {
  info: {
    id: 'lr-decay',
    letter: 'f',
    title: `Learning rate ×${LR_DECAY_GAMMA} per epoch vs constant`,
    claim:
      'Large steps early cover ground fast, small steps late settle into a minimum instead of bouncing around it: decaying the learning rate each epoch should end with a better model than keeping it constant.',
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['testAccuracy', 'loss', 'learningRate'],
  verdict: (runs, p) =>
    compareWithBase({
      runs,
      plan: p,
      base: 0,
      measure: finalOf('testAccuracy'),
      metric: 'testAccuracy',
      what: 'test accuracy',
      when: afterEpochs(p),
      minEffect: LR_DECAY_MIN_EFFECT,
    }),
};
