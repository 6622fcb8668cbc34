import type { LessonBudget } from '../../api/entities.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonPlan, LessonRunNumbers, VerdictResult } from '../lesson.js';
import { afterEpochs, allOf, alsoText, compareWithBase, difference, finalOf, percent, plain } from '../verdict.js';

/** Smallest drop in test loss that counts. */
export const DROPOUT_MIN_EFFECT = 0.02;
/** Smallest narrowing of the train/test loss gap that counts. */
export const DROPOUT_MIN_GAP_EFFECT = 0.02;
/** Training digits: few enough that a 256-256 MLP memorises them and its test loss climbs again. */
export const DROPOUT_TRAIN_SAMPLES = 1000;

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const spec = small ? mlp([128, 128]) : mlp([256, 256]);
  const epochs = small ? 15 : 20;
  const arm = (label: string, rate: number | null) => ({
    label,
    spec,
    config: trainingConfig(epochs, small ? 32 : 64, { scaleUnit: true, adam: true, ...(rate === null ? {} : { dropout: { rate } }) }),
  });
  return {
    dataset: mnist(small ? 300 : DROPOUT_TRAIN_SAMPLES),
    arms: [arm('dropout 0', null), arm('dropout 0.2', 0.2), arm('dropout 0.5', 0.5)],
    seeds: seedsFor(budget),
  };
}

const signedLoss = (x: number) => plain(x, true);

function verdict(runs: readonly LessonRunNumbers[], p: LessonPlan): VerdictResult {
  const when = afterEpochs(p);
  const common = { runs, plan: p, base: 0, when, direction: -1 as const, unit: (x: number) => plain(x), signed: signedLoss };
  // Same seeds in every arm: the network's initial weights and the batch order are shared, so compare seed by seed.
  const loss = compareWithBase({ ...common, measure: finalOf('testLoss'), metric: 'testLoss', what: 'test loss', minEffect: DROPOUT_MIN_EFFECT, paired: true });
  const gap = compareWithBase({
    ...common,
    measure: difference(finalOf('testLoss'), finalOf('loss')),
    metric: 'testLoss − loss',
    what: 'train/test loss gap',
    minEffect: DROPOUT_MIN_GAP_EFFECT,
    paired: true,
  });
  const appeared = allOf([loss.appeared, gap.appeared]);
  const text =
    `Test loss: ${loss.text} Train/test gap (test loss − training loss, both on the final weights): ${gap.text}` +
    alsoText(runs, p, finalOf('testAccuracy'), 'Test accuracy', percent) +
    (appeared === true ? ' Dropout overfits less: a lower test loss and a narrower gap.' : '');
  return { appeared, text, judged: [...loss.judged, ...gap.judged], arms: loss.arms };
}

export const dropoutLesson: Lesson = {
  info: {
    id: 'dropout',
    letter: 'c',
    title: 'Dropout 0 / 0.2 / 0.5 on a network that overfits',
    claim:
      'Zeroing random hidden units during training keeps a network from leaning on particular units, so it overfits less. On few training digits, where a wide network memorises its training set, dropout should end with a lower test loss and a narrower gap between training and test loss; test accuracy may barely move.',
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['testLoss', 'loss', 'testAccuracy', 'valLoss'],
  verdict,
};
