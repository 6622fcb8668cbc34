import type { LessonBudget } from '../../api/entities.js';
import { spreadOf } from '../../analysis/seeds.js';
import { isWeighted } from '../../spec/model-spec.js';
import { describePlan, mlp, mnist, seedsFor, trainingConfig } from '../common.js';
import type { Lesson, LessonArm, LessonPlan, LessonRunNumbers, VerdictResult } from '../lesson.js';
import { layerSeries, NOISE_FACTOR, seedCount } from '../verdict.js';

/**
 * The effect: N(0,1)'s growth of the activation std from the first to the last hidden layer must exceed the
 * scaled inits' by at least this many decades (and NOISE_FACTOR × the seed spread of the log10 growth) …
 */
export const INIT_MIN_DECADES = 1;
/** … while the scaled inits keep it within this many decades of 1× (no explosion, no collapse). */
export const INIT_STABLE_DECADES = 1;

function plan(budget: LessonBudget): LessonPlan {
  const small = budget === 'small';
  const spec = small ? mlp([64, 64, 64, 64]) : mlp([128, 128, 128, 128, 128, 128]);
  const epochs = small ? 1 : 3;
  const arm = (label: string, init: string): LessonArm => ({ label, spec, config: trainingConfig(epochs, 32, { standardize: true, adam: true, [init]: true }) });
  return {
    dataset: mnist(small ? 1000 : 2000),
    arms: [arm('N(0,1)', 'initNormal'), arm('N(0,1/n_in)', 'initLecun'), arm('Xavier', 'initGlorotNormal')],
    seeds: seedsFor(budget),
  };
}

/** Spec paths of the hidden weighted layers (every top-level weighted layer but the output). */
function hiddenPaths(arm: LessonArm): string[] {
  const paths = arm.spec.layers.flatMap((l, i) => (isWeighted(l) ? [`layers[${i}]`] : []));
  return paths.slice(0, -1);
}

const first = (values: (number | null)[] | undefined): number | null => {
  const v = values?.find((x) => x !== null && Number.isFinite(x));
  return v ?? null;
};

/** log10 of (last hidden layer's activation std / first hidden layer's), at the first recorded epoch. */
function growth(run: LessonRunNumbers, arm: LessonArm): { log: number; firstStd: number; lastStd: number } | null {
  const paths = hiddenPaths(arm);
  const firstStd = first(layerSeries(run, paths[0]!, 'activationStd'));
  const lastStd = first(layerSeries(run, paths[paths.length - 1]!, 'activationStd'));
  if (firstStd === null || lastStd === null || firstStd <= 0 || lastStd <= 0) return null;
  return { log: Math.log10(lastStd / firstStd), firstStd, lastStd };
}

const times = (log: number) => {
  const x = 10 ** log;
  return x >= 100 || x < 0.01 ? `${x.toExponential(1).replace('e+', 'e')}×` : `${Number(x.toPrecision(2))}×`;
};
const sci = (x: number) => (x >= 1e3 || x < 1e-2 ? x.toExponential(1).replace('e+', 'e') : String(Number(x.toPrecision(2))));

function verdict(runs: readonly LessonRunNumbers[], p: LessonPlan): VerdictResult {
  const stats = p.arms.map((arm, i) => {
    const mine = runs.filter((r) => r.arm === i);
    const measured = mine.filter((r) => r.status !== 'diverged').map((r) => growth(r, arm)).filter((g) => g !== null);
    const diverged = mine.filter((r) => r.status === 'diverged').length;
    const spread = spreadOf(measured.map((g) => g.log));
    return {
      label: arm.label,
      spread,
      firstStd: spreadOf(measured.map((g) => g.firstStd)),
      lastStd: spreadOf(measured.map((g) => g.lastStd)),
      diverged,
      planned: Math.max(p.seeds.length, mine.length),
      n: measured.length,
    };
  });
  const arms = stats.map((s) => ({
    label: s.label,
    metric: 'log10 activationStd, last / first hidden layer',
    mean: s.spread ? s.spread.mean : null,
    spread: s.spread && s.spread.n > 1 ? s.spread.std : null,
    seeds: s.n,
  }));
  const describe = (s: (typeof stats)[number]) => {
    const parts: string[] = [];
    if (s.spread) parts.push(`${s.label}: the activation std grows ${times(s.spread.mean)} from the first to the last hidden layer (${sci(s.firstStd!.mean)} → ${sci(s.lastStd!.mean)}, ${seedCount(s.n)})`);
    else parts.push(`${s.label}: no layer statistics`);
    if (s.diverged) parts.push(`${s.diverged} of ${s.planned} runs diverged`);
    return parts.join('; ');
  };
  const facts = `At the end of epoch 1: ${stats.map(describe).join('. ')}.`;
  const [normal, ...scaled] = stats;
  if (scaled.some((s) => !s.spread)) {
    return { appeared: false, text: `${facts} Cannot tell: a scaled initialisation has no layer statistics.`, arms };
  }
  const stable = scaled.every((s) => Math.abs(s.spread!.mean) <= INIT_STABLE_DECADES);
  const worst = Math.max(...scaled.map((s) => s.spread!.mean));
  if (!normal!.spread) {
    if (normal!.diverged > 0 && normal!.diverged + normal!.n >= normal!.planned && stable) {
      return { appeared: true, text: `${facts} The effect appeared: N(0,1) diverged (its activations overflowed) while the scaled initialisations stayed within ${INIT_STABLE_DECADES} decade of 1×.`, arms };
    }
    return { appeared: false, text: `${facts} Cannot tell: N(0,1) has no layer statistics.`, arms };
  }
  const noise = Math.max(...stats.map((s) => (s.spread && s.spread.n > 1 ? s.spread.std : 0)));
  const threshold = Math.max(INIT_MIN_DECADES, NOISE_FACTOR * noise);
  const effect = normal!.spread.mean - worst;
  const appeared = effect >= threshold && stable;
  const rule = `the threshold of ${threshold.toFixed(1)} decades (the larger of ${INIT_MIN_DECADES} and ${NOISE_FACTOR} × the seed spread)`;
  const conclusion = appeared
    ? `The effect appeared: N(0,1)'s growth is ${effect.toFixed(1)} decades above the scaled initialisations', past ${rule}, and both scaled ones stay within ${INIT_STABLE_DECADES} decade of 1×.`
    : effect < threshold
      ? `No clear effect: N(0,1)'s growth is only ${effect.toFixed(1)} decades above the scaled initialisations', within ${rule}.`
      : `No clear effect: N(0,1) grows ${effect.toFixed(1)} decades more, but a scaled initialisation also moves more than ${INIT_STABLE_DECADES} decade away from 1×.`;
  return { appeared, text: `${facts} ${conclusion}`, arms };
}

export const initScaleLesson: Lesson = {
  info: {
    id: 'init-scale',
    letter: 'a',
    title: 'N(0,1) vs N(0,1/n_in) vs Xavier initialisation',
    claim:
      'Weights drawn from N(0,1) ignore the layer\'s fan-in, so each ReLU layer multiplies the activations\' spread by about √(n/2) and it explodes with depth; N(0,1/n_in) and Xavier scale the weights to the fan-in and keep the spread near constant from layer to layer.',
    plan: { small: describePlan(plan('small')), standard: describePlan(plan('standard')) },
  },
  plan,
  metrics: ['layer.', 'testAccuracy'],
  verdict,
};
