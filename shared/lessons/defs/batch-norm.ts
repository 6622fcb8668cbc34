import type { LessonBudget } from '../../api/entities.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonPlan } from '../lesson.js';
import { afterEpochs, compareWithBase, finalOf } from '../verdict.js';

/** Smallest gain in test accuracy that counts: 1 point (10 of the 1,000 test digits). */
export const BATCH_NORM_MIN_EFFECT = 0.01;
/** Momentum of the moving mean and variance (see the plan). */
export const BATCH_NORM_MOMENTUM = 0.9;

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  // A deep-ish ReLU stack under plain SGD at its default rate learns slowly: the setting where normalising each
  // layer's pre-activations shows. The moving statistics follow the batches faster than the default 0.99 so
  // that after these few steps the inference-time statistics (which the test accuracy uses) have caught up.
  const spec = small ? mlp([64, 64, 64]) : mlp([128, 128, 128, 128]);
  const epochs = small ? 2 : 3;
  const tricks = { scaleUnit: true, sgd: true };
  return {
    dataset: mnist(small ? 1000 : 2000),
    arms: [
      { label: 'no batch norm', spec, config: trainingConfig(epochs, 32, tricks) },
      { label: 'batch norm', spec, config: trainingConfig(epochs, 32, { ...tricks, batchNorm: { momentum: BATCH_NORM_MOMENTUM } }) },
    ],
    seeds: seedsFor(budget),
  };
}

export const batchNormLesson: Lesson = {
  info: {
    id: 'batch-norm',
    letter: 'b',
    title: 'Batch norm on / off',
    claim:
      'Normalising each hidden layer\'s pre-activations per batch keeps them in the range where gradients flow, so a deep network trains faster: after the same few epochs of plain SGD the batch-norm network should be clearly more accurate.',
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
      minEffect: BATCH_NORM_MIN_EFFECT,
    }),
};
