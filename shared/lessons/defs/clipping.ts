import type { LessonBudget } from '../../api/entities.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonPlan } from '../lesson.js';
import { afterEpochs, armEntry, armNumbers, compareWithBase, finalOf, percent, seedCount } from '../verdict.js';

/** The learning rate: far too large for plain SGD on this network, so unclipped steps blow the weights up. */
export const CLIPPING_LEARNING_RATE = 2;
/** The global-norm threshold θ. */
export const CLIPPING_THRESHOLD = 1;
/** When neither arm diverges: the smallest gain in test accuracy that counts. */
export const CLIPPING_MIN_EFFECT = 0.02;

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const spec = small ? mlp([128, 128]) : mlp([256, 256]);
  const epochs = small ? 2 : 5;
  const tricks = { standardize: true, sgd: { learningRate: CLIPPING_LEARNING_RATE } };
  return {
    dataset: mnist(small ? 1000 : 4000),
    arms: [
      { label: 'no clipping', spec, config: trainingConfig(epochs, 32, tricks) },
      { label: `clip norm θ=${CLIPPING_THRESHOLD}`, spec, config: trainingConfig(epochs, 32, { ...tricks, clipNorm: { maxNorm: CLIPPING_THRESHOLD } }) },
    ],
    seeds: seedsFor(budget),
  };
}

export const clippingLesson: Lesson = {
  info: {
    id: 'clipping',
    letter: 'e',
    title: 'Gradient clipping at a learning rate that diverges',
    claim: `With a learning rate far too large (SGD at ${CLIPPING_LEARNING_RATE}), steps overshoot, the weights blow up and the loss becomes NaN; capping the gradient's global norm at θ=${CLIPPING_THRESHOLD} bounds every step, so the same run stays finite and learns.`,
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['testAccuracy', 'loss'],
  verdict: (runs, p) => {
    const measure = finalOf('testAccuracy');
    const [plainArm, clipped] = [0, 1].map((arm) => armNumbers(runs, p, arm, measure)) as [ReturnType<typeof armNumbers>, ReturnType<typeof armNumbers>];
    const arms = [armEntry(plainArm, 'testAccuracy'), armEntry(clipped, 'testAccuracy')];
    const diverged = (a: typeof plainArm) => `${a.diverged} of ${a.planned} run${a.planned === 1 ? '' : 's'} diverged`;
    const reached = (a: typeof plainArm) => (a.spread ? `; those that finished reached ${percent(a.spread.mean)} test accuracy (${seedCount(a.values.length)})` : '');
    const missing = (a: typeof plainArm) => (a.missing ? ` (${a.missing} failed or missing)` : '');
    const facts = `${plainArm.label}: ${diverged(plainArm)}${reached(plainArm)}${missing(plainArm)}. ${clipped.label}: ${diverged(clipped)}${reached(clipped)}${missing(clipped)}.`;
    if (plainArm.diverged > clipped.diverged) {
      return {
        appeared: true,
        text: `${facts} The effect appeared: clipping kept ${plainArm.diverged - clipped.diverged} more run${plainArm.diverged - clipped.diverged === 1 ? '' : 's'} from diverging at learning rate ${CLIPPING_LEARNING_RATE}.`,
        arms,
      };
    }
    if (plainArm.diverged > 0) {
      return { appeared: false, text: `${facts} No clear effect: clipping did not prevent divergence (as many clipped runs diverged).`, arms };
    }
    if (clipped.diverged > 0) {
      return { appeared: false, text: `${facts} No clear effect: only clipped runs diverged.`, arms };
    }
    // Nothing diverged: judge by accuracy.
    const result = compareWithBase({ runs, plan: p, base: 0, measure, metric: 'testAccuracy', what: 'test accuracy', when: afterEpochs(p), minEffect: CLIPPING_MIN_EFFECT });
    return { ...result, text: `No run diverged. ${result.text}` };
  },
};
