import type { LessonBudget } from '../../api/entities.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonPlan, LessonRunNumbers, VerdictResult } from '../lesson.js';
import { alsoText, compareWithBase, finalOf, meanOver, percent, plain } from '../verdict.js';

/** Smallest paired drop in validation loss that counts. */
export const LR_DECAY_MIN_EFFECT = 0.01;
/** The learning rate of the first phase (SGD with momentum 0.9: large enough that it bounces around the minimum). */
export const LR_DECAY_RATE = 0.05;
/** The fine-tuning phase trains at this fraction of it. */
export const LR_DECAY_GAMMA = 0.1;

/** Epochs in all, and the epoch after which the fine-tuning phase starts. */
function phases(budget: LessonBudget): { epochs: number; tuneFrom: number } {
  return budget === 'small' ? { epochs: 4, tuneFrom: 3 } : { epochs: 8, tuneFrom: 6 };
}

function plan(budget: LessonBudget): LessonPlan {
  const { epochs, tuneFrom } = phases(budget);
  const spec = mlp([128]);
  const tricks = { scaleUnit: true, momentum: { learningRate: LR_DECAY_RATE } };
  return {
    dataset: mnist(budget === 'small' ? 1000 : 2000),
    arms: [
      { label: `constant LR ${LR_DECAY_RATE}`, spec, config: trainingConfig(epochs, 32, tricks) },
      {
        label: `LR ×${LR_DECAY_GAMMA} after epoch ${tuneFrom}`,
        spec,
        config: trainingConfig(epochs, 32, { ...tricks, lrStep: { stepSize: tuneFrom, gamma: LR_DECAY_GAMMA } }),
      },
    ],
    // A bouncing run's loss differs from seed to seed by luck: five pairs give a steadier spread to judge by.
    seeds: seedsFor(budget, { standard: 5 }),
  };
}

function verdict(runs: readonly LessonRunNumbers[], p: LessonPlan): VerdictResult {
  const tuneFrom = (p.arms[1]!.config.tricks.lrStep?.stepSize as number | undefined) ?? 0;
  const epochs = p.arms[0]!.config.epochs;
  // Until the decay both arms are the same run (same seed, same steps): the comparison is paired by seed. A
  // bouncing run's loss at its last epoch is one draw of the bounce; averaged over the fine-tuning epochs it is
  // where the run sits.
  const loss = compareWithBase({
    runs,
    plan: p,
    base: 0,
    measure: meanOver('valLoss', tuneFrom, epochs),
    metric: `valLoss, mean of epochs ${tuneFrom + 1}–${epochs}`,
    what: 'validation loss',
    when: `averaged over epochs ${tuneFrom + 1}–${epochs}`,
    minEffect: LR_DECAY_MIN_EFFECT,
    direction: -1,
    paired: true,
    unit: (x) => plain(x),
    signed: (x) => plain(x, true),
  });
  const setting = `Both arms train identically for ${tuneFrom} epochs; then one fine-tunes for ${epochs - tuneFrom} at LR ${Number((LR_DECAY_RATE * LR_DECAY_GAMMA).toPrecision(3))}.`;
  const context = alsoText(runs, p, finalOf('testLoss'), 'Final test loss', (x) => plain(x)) + alsoText(runs, p, finalOf('testAccuracy'), 'Test accuracy', percent);
  return { ...loss, text: `${setting} ${loss.text}${context}` };
}

export const lrDecayLesson: Lesson = {
  info: {
    id: 'lr-decay',
    letter: 'f',
    title: 'Fine-tuning at a decayed learning rate vs going on at a constant one',
    claim:
      'Large steps cover ground fast but end up bouncing around a minimum; dropping the learning rate for a final fine-tuning phase lets the weights settle into it. Continuing the same run at a tenth of the rate for its last epochs should sit at a lower validation loss over those epochs than continuing at the constant rate.',
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['valLoss', 'testLoss', 'testAccuracy', 'learningRate'],
  verdict,
};
