import type { LessonBudget } from '../../api/entities.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonArm, LessonPlan, LessonRunNumbers, VerdictResult } from '../lesson.js';
import {
  afterEpochs,
  allOf,
  armEntry,
  armNumbers,
  finalOf,
  judge,
  judgedEntry,
  leftOut,
  noNumbers,
  percent,
  pointsUnit,
  spreadText,
  thresholdText,
  type ArmNumbers,
  type Judgement,
} from '../verdict.js';

/** Smallest lead in test accuracy over raw inputs that counts (2 points). */
export const SCALING_MIN_EFFECT = 0.02;

/** The scalings compared, raw last (the base of each optimizer's comparison). */
export const SCALINGS = [
  { trick: 'scaleUnit', label: '[0,1]' },
  { trick: 'scaleSymmetric', label: '[-1,1]' },
  { trick: 'standardize', label: 'standardised' },
  { trick: null, label: 'raw 0–255' },
] as const;
export const SCALING_OPTIMIZERS = [
  { trick: 'sgd', label: 'SGD' },
  { trick: 'adam', label: 'Adam' },
] as const;

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const spec = mlp([128]);
  const epochs = small ? 1 : 3;
  // Each optimizer at its default learning rate: the question is what the inputs' scale does to the same recipe.
  const arms: LessonArm[] = SCALING_OPTIMIZERS.flatMap((o) =>
    SCALINGS.map((s) => ({
      label: `${o.label} on ${s.label}`,
      spec,
      config: trainingConfig(epochs, 32, { [o.trick]: true, ...(s.trick ? { [s.trick]: true } : {}) }),
    })),
  );
  return { dataset: mnist(small ? 1000 : 2000), arms, seeds: seedsFor(budget) };
}

/** One optimizer's arms: every scaling against raw inputs; the effect appears when each clears the threshold. */
function judgeOptimizer(arms: ArmNumbers[], optimizer: string): { sentence: string; appeared: boolean | null; weakest: Judgement | null } {
  const raw = arms[arms.length - 1]!;
  const scaled = arms.slice(0, -1);
  const numbers = arms
    .map((a) => `${a.label.slice(optimizer.length + 4)} ${a.spread ? `${percent(a.spread.mean)}${a.spread.n > 1 ? ` ± ${pointsUnit(a.spread.std)}` : ''}${leftOut(a)}` : `— (${noNumbers(a)})`}`)
    .join(', ');
  const verdicts: (boolean | null)[] = [];
  let weakest: { label: string; j: Judgement } | null = null;
  const margin = (j: Judgement) => (j.appeared === null ? -Infinity : j.effect - j.threshold);
  for (const s of scaled) {
    if (!raw.spread) {
      // Raw inputs diverged: a scaling that trained wins; one that diverged too does not.
      verdicts.push(raw.diverged === raw.planned ? (s.spread && s.diverged === 0 ? true : false) : null);
      continue;
    }
    const j = judge(raw, s, SCALING_MIN_EFFECT);
    if (!j) {
      verdicts.push(s.diverged ? false : null);
      continue;
    }
    verdicts.push(j.appeared);
    if (!weakest || margin(j) < margin(weakest.j)) weakest = { label: s.label, j };
  }
  const appeared = allOf(verdicts);
  let result: string;
  if (!raw.spread) result = raw.diverged === raw.planned ? 'raw inputs diverged in every run' : `raw inputs have no numbers (${noNumbers(raw)})`;
  else if (weakest)
    result = `the smallest lead over raw inputs is ${weakest.label.slice(optimizer.length + 4)}'s ${pointsUnit(weakest.j.effect)} (${spreadText(weakest.j, pointsUnit)}; threshold ${thresholdText(weakest.j, SCALING_MIN_EFFECT, pointsUnit)})`;
  else result = 'no scaled arm has numbers';
  const word = appeared === true ? 'every scaling beats raw inputs' : appeared === false ? 'not every scaling beats raw inputs clearly' : 'not judged';
  return { sentence: `${optimizer}: ${numbers}; ${result}: ${word}.`, appeared, weakest: weakest?.j ?? null };
}

function verdict(runs: readonly LessonRunNumbers[], p: LessonPlan): VerdictResult {
  const all = p.arms.map((_, i) => armNumbers(runs, p, i, finalOf('testAccuracy')));
  const per = SCALING_OPTIMIZERS.map((o, k) => ({ o, ...judgeOptimizer(all.slice(k * SCALINGS.length, (k + 1) * SCALINGS.length), o.label) }));
  const appeared = allOf(per.map((x) => x.appeared));
  const when = afterEpochs(p);
  const conclusion =
    appeared === true
      ? 'The effect appeared: with both optimizers, every scaling of the inputs trains to a clearly higher test accuracy than raw pixel values.'
      : appeared === false
        ? `No clear effect for ${per.filter((x) => x.appeared === false).map((x) => x.o.label).join(' and ')}${per.some((x) => x.appeared === true) ? `; it does show for ${per.filter((x) => x.appeared === true).map((x) => x.o.label).join(' and ')}` : ''}.`
        : 'Not judged: one seed per arm, or an arm without numbers.';
  return {
    appeared,
    text: `Test accuracy ${when} (mean over seeds). ${per.map((x) => x.sentence).join(' ')} ${conclusion}`,
    judged: per.map((x) => ({
      ...judgedEntry(`test accuracy ${when} with ${x.o.label}: each scaling above raw 0–255 (mean over seeds)`, x.weakest, SCALING_MIN_EFFECT, pointsUnit),
      appeared: x.appeared,
    })),
    arms: all.map((a) => armEntry(a, 'testAccuracy')),
  };
}

export const inputScalingLesson: Lesson = {
  info: {
    id: 'input-scaling',
    letter: 'j',
    title: 'Input scaling: [0,1], [-1,1], standardised or raw 0–255, with SGD and Adam',
    claim:
      "The note's first point: scale the inputs before training. Raw pixel values of 0–255 make the first layer's pre-activations and gradients hundreds of times larger than the initialisation expects, so a learning rate that suits scaled inputs overshoots. Mapped to [0,1] or [-1,1], or standardised, the same network and optimizer should train to a clearly higher accuracy; plain SGD should suffer most, Adam (which rescales each weight's step) less.",
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['testAccuracy', 'valAccuracy', 'loss'],
  verdict,
};
