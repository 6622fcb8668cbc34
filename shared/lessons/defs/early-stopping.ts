import type { LessonBudget } from '../../api/entities.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonPlan } from '../lesson.js';
import { armNumbers, compareWithBase, finalOf, plain } from '../verdict.js';

/** Smallest drop in test loss that counts. */
export const EARLY_STOPPING_MIN_EFFECT = 0.02;
/** Training digits: few enough that a 256-unit MLP memorises them within a few epochs. */
export const EARLY_STOPPING_TRAIN_SAMPLES = 500;

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const spec = mlp([256]);
  const epochs = small ? 15 : 30;
  // A brisk Adam rate makes it memorise the 500 digits within a few epochs.
  const tricks = { scaleUnit: true, adam: { learningRate: 0.005 } };
  return {
    dataset: mnist(EARLY_STOPPING_TRAIN_SAMPLES),
    arms: [
      { label: 'no early stopping', spec, config: trainingConfig(epochs, 32, tricks) },
      {
        label: 'early stopping (restore best)',
        spec,
        config: trainingConfig(epochs, 32, { ...tricks, earlyStopping: { patience: small ? 3 : 5, restoreBest: 'always' } }),
      },
    ],
    seeds: seedsFor(budget),
  };
}

export const earlyStoppingLesson: Lesson = {
  info: {
    id: 'early-stopping',
    letter: 'd',
    title: 'Early stopping (restore best)',
    claim:
      'Trained long on a small training set, a network memorises it and its validation loss climbs again; stopping when the validation loss stops improving and restoring the best weights keeps the model from before the overfitting, with a lower test loss. (Test accuracy, which the validation loss does not watch, need not follow.)',
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['testLoss', 'testAccuracy', 'epochs', 'bestEpoch', 'valLoss'],
  verdict: (runs, p) => {
    const result = compareWithBase({
      runs,
      plan: p,
      base: 0,
      measure: finalOf('testLoss'),
      metric: 'testLoss',
      what: 'test loss',
      when: `within ${p.arms[0]!.config.epochs} epochs`,
      minEffect: EARLY_STOPPING_MIN_EFFECT,
      direction: -1,
      // Both arms are the same run until early stopping ends one: compare seed by seed.
      paired: true,
      unit: (x) => plain(x),
      signed: (x) => plain(x, true),
    });
    const stopped = armNumbers(runs, p, 1, finalOf('epochs'));
    if (stopped.spread) {
      const accuracy = [0, 1].map((arm) => armNumbers(runs, p, arm, finalOf('testAccuracy')).spread);
      const acc = accuracy.every((s) => s) ? ` Test accuracy (not judged): ${accuracy.map((s) => `${(s!.mean * 100).toFixed(1)}%`).join(' without, ')} with.` : '';
      result.text += ` Early stopping ended after ${stopped.spread.mean.toFixed(1)} of ${p.arms[1]!.config.epochs} epochs on average.${acc}`;
    }
    return result;
  },
};
