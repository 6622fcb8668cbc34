import type { LessonBudget } from '../../api/entities.js';
import { isWeighted } from '../../spec/model-spec.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonArm, LessonPlan, LessonRunNumbers, VerdictResult } from '../lesson.js';
import {
  afterEpochs,
  allOf,
  armEntry,
  armNumbers,
  initLayerStat,
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

/** At initialisation, N(0,1) must grow the spread at least this many decades more than He … */
export const INIT_EXPLODE_DECADES = 1;
/** … and He must hold it at least this many decades above N(0,1/n_in) and Xavier (0.3 decades = 2×). */
export const INIT_SHRINK_DECADES = 0.3;
/** After training, He must lead every other initialisation by at least this much test accuracy. */
export const INIT_TRAINED_MIN_EFFECT = 0.02;

const HE = 4;
const NORMAL = 0;
const SHRINKING = [2, 3];

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const spec = small ? mlp([64, 64, 64, 64]) : mlp([128, 128, 128, 128, 128, 128]);
  // Plain SGD at its default rate: an optimizer that rescales each weight's step (Adam) would hide part of what
  // the initial scale does to training.
  const arm = (label: string, init: string): LessonArm => ({ label, spec, config: trainingConfig(small ? 1 : 2, 32, { standardize: true, sgd: true, [init]: true }) });
  return {
    dataset: mnist(small ? 1000 : 2000),
    arms: [
      arm('N(0,1)', 'initNormal'),
      arm('U(-0.05, 0.05)', 'initUniform'),
      arm('N(0,1/n_in)', 'initLecun'),
      arm('Xavier', 'initGlorotNormal'),
      arm('He', 'initHe'),
    ],
    seeds: seedsFor(budget),
  };
}

/** Spec paths of the hidden weighted layers (every top-level weighted layer but the output). */
function hiddenPaths(arm: LessonArm): string[] {
  return arm.spec.layers.flatMap((l, i) => (isWeighted(l) ? [`layers[${i}]`] : [])).slice(0, -1);
}

/** log10 of (last hidden layer's activation std / first hidden layer's) on the freshly initialised model. */
function growthAtInit(arm: LessonArm) {
  const paths = hiddenPaths(arm);
  return (run: LessonRunNumbers): number | null => {
    const first = initLayerStat(run, paths[0]!, 'activationStd');
    const last = initLayerStat(run, paths[paths.length - 1]!, 'activationStd');
    return first !== null && last !== null && first > 0 && last > 0 ? Math.log10(last / first) : null;
  };
}

/** Growth at initialisation does not depend on training: a run that diverged later still has it. */
function growthNumbers(runs: readonly LessonRunNumbers[], p: LessonPlan, arm: number): ArmNumbers {
  const measure = growthAtInit(p.arms[arm]!);
  const asMeasured = runs.filter((r) => r.arm === arm).map((r) => (r.status === 'diverged' ? { ...r, status: 'completed' as const } : r));
  return armNumbers(asMeasured, p, arm, measure);
}

const times = (log: number) => {
  const x = 10 ** log;
  return x >= 100 || x < 0.01 ? `${x.toExponential(1).replace('e+', 'e')}×` : `${Number(x.toPrecision(2))}×`;
};
const decades = (x: number) => `${x.toFixed(2)} decades`;

function verdict(runs: readonly LessonRunNumbers[], p: LessonPlan): VerdictResult {
  const layers = hiddenPaths(p.arms[0]!).length;
  const growth = p.arms.map((_, i) => growthNumbers(runs, p, i));
  const trained = p.arms.map((_, i) => armNumbers(runs, p, i, (r) => (r.finalMetrics?.testAccuracy ?? null)));
  const when = afterEpochs(p);
  const arms = [...growth.map((g) => armEntry(g, 'log10 activationStd, last ÷ first hidden layer, at init')), ...trained.map((t) => armEntry(t, 'testAccuracy'))];

  const atInit = growth.map((g) => (g.spread ? `${g.label} ${times(g.spread.mean)}` : `${g.label} — (${noNumbers(g)})`)).join(', ');
  const sentences = [`At initialisation, the activation std from the first to the last of ${layers} hidden ReLU layers grows: ${atInit} (mean over seeds).`];

  // At initialisation: N(0,1) above He by decades, He above N(0,1/n_in) and Xavier.
  const he = growth[HE]!;
  const explode = judge(he, growth[NORMAL]!, INIT_EXPLODE_DECADES, 1);
  const shrink = SHRINKING.map((i) => ({ label: growth[i]!.label, j: judge(growth[i]!, he, INIT_SHRINK_DECADES, 1) }));
  const describe = (what: string, j: Judgement | null, min: number) =>
    j === null
      ? `${what}: cannot tell (no statistics at initialisation).`
      : `${what}: ${decades(j.effect)} (${spreadText(j, decades)}; threshold ${thresholdText(j, min, decades)})${j.appeared === null ? ', not judged' : j.appeared ? '' : ', not enough'}.`;
  sentences.push(describe(`N(0,1) grows it more than He by`, explode, INIT_EXPLODE_DECADES));
  for (const s of shrink) sentences.push(describe(`He holds it above ${s.label} by`, s.j, INIT_SHRINK_DECADES));
  const weakestShrink = shrink.reduce<Judgement | null>((w, s) => (s.j && (!w || s.j.effect - s.j.threshold < w.effect - w.threshold) ? s.j : w), null);

  // After training: He against every other initialisation. An arm whose every run diverged did not train
  // (He leads it); one without numbers for another reason cannot be judged.
  const heTrained = trained[HE]!;
  const parts: string[] = [];
  const verdicts: (boolean | null)[] = [];
  let weakest: { label: string; j: Judgement } | null = null;
  const margin = (j: Judgement) => (j.appeared === null ? -Infinity : j.effect - j.threshold);
  for (let i = 0; i < trained.length; i++) {
    const t = trained[i]!;
    const acc = t.spread ? `${percent(t.spread.mean)}${t.spread.n > 1 ? ` ± ${pointsUnit(t.spread.std)}` : ''}${leftOut(t)}` : `— (${noNumbers(t)})`;
    parts.push(`${t.label} ${acc}`);
    if (i === HE) continue;
    if (!t.spread) {
      verdicts.push(t.diverged === t.planned ? true : null);
      continue;
    }
    const j = judge(t, heTrained, INIT_TRAINED_MIN_EFFECT, 1);
    if (!j) continue;
    verdicts.push(j.appeared);
    if (!weakest || margin(j) < margin(weakest.j)) weakest = { label: t.label, j };
  }
  const trainedAppeared = heTrained.spread ? allOf(verdicts) : heTrained.diverged === heTrained.planned ? false : null;
  sentences.push(`Test accuracy ${when} with plain SGD (mean over seeds): ${parts.join(', ')}.`);
  if (!heTrained.spread) sentences.push(`He has no test accuracy (${noNumbers(heTrained)}).`);
  else if (weakest) {
    const { label, j } = weakest;
    sentences.push(
      `He's smallest lead is over ${label}: ${pointsUnit(j.effect)} (${spreadText(j, pointsUnit)}; threshold ${thresholdText(j, INIT_TRAINED_MIN_EFFECT, pointsUnit)})${j.appeared === null ? ', not judged' : j.appeared ? '' : ', not enough'}.`,
    );
  }

  const initAppeared = allOf([explode?.appeared ?? null, ...shrink.map((s) => s.j?.appeared ?? null)]);
  const appeared = allOf([initAppeared, trainedAppeared]);
  const conclusion =
    appeared === true
      ? 'The effect appeared: N(0,1) blows the spread up, N(0,1/n_in) and Xavier let it shrink, He holds it, and He trains best.'
      : appeared === false
        ? `No clear effect: ${initAppeared === false ? 'at initialisation the spreads do not separate as claimed' : 'after training He does not lead every other initialisation clearly'}.`
        : 'Not judged: too few seeds or numbers to compare against a spread.';
  sentences.push(conclusion);
  const diverged = trained.filter((t) => t.diverged > 0).map((t) => `${t.label} ${t.diverged} of ${t.planned}`);
  if (diverged.length) sentences.push(`Diverged in training: ${diverged.join(', ')}.`);

  return {
    appeared,
    text: sentences.join(' '),
    judged: [
      judgedEntry(`log10 activation std, last ÷ first hidden layer, at initialisation: N(0,1) above He (mean over seeds)`, explode, INIT_EXPLODE_DECADES, decades),
      judgedEntry(`log10 activation std, last ÷ first hidden layer, at initialisation: He above N(0,1/n_in) and Xavier (mean over seeds)`, weakestShrink, INIT_SHRINK_DECADES, decades),
      {
        ...judgedEntry(`test accuracy ${when}: He above every other initialisation (mean over seeds; a diverged arm counts as not trained)`, weakest?.j ?? null, INIT_TRAINED_MIN_EFFECT, pointsUnit),
        appeared: trainedAppeared,
      },
    ],
    arms,
  };
}

export const initScaleLesson: Lesson = {
  info: {
    id: 'init-scale',
    letter: 'a',
    title: 'Weight initialisation: N(0,1), uniform, N(0,1/n_in), Xavier, He',
    claim:
      "Weights drawn from N(0,1) ignore the layer's fan-in n: under ReLU each layer multiplies the activations' spread by about √(n/2), so it explodes with depth. Scaling to the fan-in fixes the size, but only He's N(0,2/n_in) keeps the spread constant through ReLU layers; N(0,1/n_in) and Xavier shrink it by about √2 per layer, and a small uniform range shrinks it faster. Measured at initialisation and after training with plain SGD, He should hold the spread and train best.",
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['init.layer.', 'testAccuracy'],
  verdict,
};
