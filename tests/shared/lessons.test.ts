import { describe, expect, it } from 'vitest';
import { diffRuns } from '../../shared/analysis/index.js';
import {
  checkModelSpec,
  DatasetRefSchema,
  datasetRefShape,
  datasetRefSplit,
  expandSpec,
  parseTrainingConfig,
  type LayerSpec,
} from '../../shared/index.js';
import { LESSON_BUDGETS, type RunStatus } from '../../shared/api/index.js';
import { findLesson, LESSONS, lessonInfo, NOISE_FACTOR, type Lesson, type LessonRunNumbers } from '../../shared/lessons/index.js';
import { F_CRITICAL_95 } from '../../shared/lessons/defs/ensemble.js';
import { allOf, armNumbers, judge, judgePaired, MIN_SEEDS } from '../../shared/lessons/verdict.js';

const lesson = (id: string): Lesson => {
  const found = findLesson(id);
  if (!found) throw new Error(`no lesson ${id}`);
  return found;
};

/** One run's numbers: final metrics (null for a run without them) and per-epoch series. */
function run(
  arm: number,
  seed: number,
  final: Record<string, number | null> | null,
  status: RunStatus = 'completed',
  series: Record<string, (number | null)[]> = {},
): LessonRunNumbers {
  return { arm, seed, status, finalMetrics: final, series };
}

/** Runs of each arm with these test accuracies (one per seed, seeds 1, 2, 3, …); null: the run diverged. */
function accuracies(...arms: Array<Array<number | null>>): LessonRunNumbers[] {
  return arms.flatMap((values, arm) =>
    values.map((v, i) => (v === null ? run(arm, i + 1, { epochs: 1 }, 'diverged') : run(arm, i + 1, { testAccuracy: v, epochs: 5 }))),
  );
}

/** Runs of each arm with these values of one final metric (seeds 1, 2, 3, …); null: the run diverged. */
function finals(metric: string, ...arms: Array<Array<number | null>>): LessonRunNumbers[] {
  return arms.flatMap((values, arm) => values.map((v, i) => (v === null ? run(arm, i + 1, { epochs: 0 }, 'diverged') : run(arm, i + 1, { [metric]: v }))));
}

describe('lesson registry', () => {
  it("lists the note's nine lessons in order, then input scaling, findable by id", () => {
    expect(LESSONS.map((l) => [l.info.letter, l.info.id])).toEqual([
      ['a', 'init-scale'],
      ['b', 'batch-norm'],
      ['c', 'dropout'],
      ['d', 'early-stopping'],
      ['e', 'clipping'],
      ['f', 'lr-decay'],
      ['g', 'optimizer-race'],
      ['h', 'ensemble'],
      ['i', 'residual'],
      ['j', 'input-scaling'],
    ]);
    expect(findLesson('dropout')).toBe(LESSONS[2]);
    expect(findLesson('nope')).toBeUndefined();
    expect(NOISE_FACTOR).toBe(2);
    expect(MIN_SEEDS).toBe(2);
  });

  it('describes each lesson with its arms and the runs per budget', () => {
    expect(lessonInfo(lesson('dropout'))).toEqual({
      id: 'dropout',
      letter: 'c',
      title: 'Dropout 0 / 0.2 / 0.5 on a network that overfits',
      claim: expect.stringContaining('lower test loss and a narrower gap between training and test loss'),
      plan: {
        small: 'MNIST (first 300 training digits), MLP 784-128-128-10 relu, 15 epochs, 3 arms (dropout 0, dropout 0.2, dropout 0.5) × 2 seeds = 6 runs',
        standard: 'MNIST (first 1000 training digits), MLP 784-256-256-10 relu, 20 epochs, 3 arms (dropout 0, dropout 0.2, dropout 0.5) × 3 seeds = 9 runs',
      },
      arms: ['dropout 0', 'dropout 0.2', 'dropout 0.5'],
      runs: { small: 6, standard: 9 },
    });
    expect(lessonInfo(lesson('ensemble')).arms).toEqual(['single model', 'ensemble of 5']);
    expect(lessonInfo(lesson('ensemble')).runs).toEqual({ small: 4, standard: 10 });
    expect(lessonInfo(lesson('optimizer-race')).runs).toEqual({ small: 18, standard: 27 });
    expect(lessonInfo(lesson('input-scaling')).arms).toEqual([
      'SGD on [0,1]',
      'SGD on [-1,1]',
      'SGD on standardised',
      'SGD on raw 0–255',
      'Adam on [0,1]',
      'Adam on [-1,1]',
      'Adam on standardised',
      'Adam on raw 0–255',
    ]);
    expect(lessonInfo(lesson('clipping')).arms).toEqual(['no clipping', 'clip norm θ=10', 'clip norm θ=1']);
    expect(lessonInfo(lesson('init-scale')).arms).toEqual(['N(0,1)', 'U(-0.05, 0.05)', 'N(0,1/n_in)', 'Xavier', 'He']);
  });
});

describe('lesson plans', () => {
  // What each lesson varies: its arms differ from the first arm in exactly these diffRuns rows (or a subset).
  const varies: Record<string, string[] | 'model'> = {
    'init-scale': ['init'],
    'batch-norm': ['batchNorm'],
    dropout: ['dropout'],
    'early-stopping': ['earlyStopping'],
    clipping: ['clipNorm'],
    'lr-decay': ['lrSchedule'],
    'optimizer-race': ['optimizer'],
    ensemble: ['ensemble'],
    residual: 'model',
    'input-scaling': ['inputScaling', 'optimizer'],
  };

  for (const l of LESSONS) {
    for (const budget of LESSON_BUDGETS) {
      it(`${l.info.id} (${budget}): every arm parses, type-checks against the dataset and varies only what the lesson is about`, () => {
        const plan = l.plan(budget);
        expect(DatasetRefSchema.safeParse(plan.dataset).success).toBe(true);
        const shape = datasetRefShape(plan.dataset);
        expect(plan.arms.length).toBeGreaterThanOrEqual(2);
        expect(new Set(plan.arms.map((a) => a.label)).size).toBe(plan.arms.length);
        // Two seeds at least on both budgets: one seed gives no spread to judge by.
        expect(plan.seeds.length).toBe(budget === 'small' ? 2 : ['ensemble', 'lr-decay'].includes(l.info.id) ? 5 : 3);
        expect(new Set(plan.seeds).size).toBe(plan.seeds.length);
        for (const arm of plan.arms) {
          expect(parseTrainingConfig(JSON.parse(JSON.stringify(arm.config)))).toEqual({ ok: true, value: arm.config });
          const checked = checkModelSpec(arm.spec);
          expect(checked.errors).toEqual([]);
          const expanded = checkModelSpec(expandSpec(arm.spec, arm.config));
          expect(expanded.errors).toEqual([]);
          expect((arm.spec.layers[0] as Extract<LayerSpec, { type: 'input' }>).shape).toEqual(shape.inputShape);
          expect(expanded.info!.outputShape).toEqual([shape.classes]);
        }
        const rows = plan.arms.slice(1).map((arm) => diffRuns([plan.arms[0]!, arm].map((a) => ({ spec: a.spec, config: a.config, dataset: plan.dataset }))));
        for (const r of rows) {
          expect(r.length).toBeGreaterThan(0);
          const allowed = varies[l.info.id]!;
          if (allowed === 'model') expect(r.every((row) => row.field.startsWith('model.'))).toBe(true);
          else expect(r.map((row) => row.field).every((f) => allowed.includes(f))).toBe(true);
        }
        expect(l.metrics.length).toBeGreaterThan(0);
      });
    }

    // Digit-epochs trained in all (ensemble members counted): the sizes that keep a budget's wall time bounded.
    const work = (budget: 'small' | 'standard') => {
      const plan = l.plan(budget);
      const train = datasetRefSplit(plan.dataset).train;
      return plan.arms.reduce((sum, a) => sum + a.config.epochs * train * ((a.config.tricks.ensemble?.members as number | undefined) ?? 1), 0) * plan.seeds.length;
    };

    it(`${l.info.id}: the small budget is small (≤ 2000 digits, ≤ 15,000 digit-epochs per seed) and the standard one bounded`, () => {
      const plan = l.plan('small');
      expect(datasetRefSplit(plan.dataset).train).toBeLessThanOrEqual(2000);
      expect(work('small')).toBeLessThanOrEqual(15_000 * plan.seeds.length);
      expect(work('standard')).toBeLessThanOrEqual(200_000);
    });
  }
});

describe('judging', () => {
  const plan = lesson('batch-norm').plan('standard');
  const arms = (a: number[], b: number[]) => [0, 1].map((i) => armNumbers(finals('testAccuracy', a, b), plan, i, (r) => r.finalMetrics?.testAccuracy ?? null));

  it('calls an effect only beyond the minimum and twice the larger seed spread', () => {
    const [a, b] = arms([0.9, 0.91, 0.92], [0.93, 0.935, 0.94]);
    expect(judge(a!, b!, 0.005)).toMatchObject({ effect: expect.closeTo(0.025, 9), noise: expect.closeTo(0.01, 9), threshold: expect.closeTo(0.02, 9), seeds: 3, paired: false, appeared: true });
    const [c, d] = arms([0.9, 0.91, 0.92], [0.905, 0.915, 0.925]);
    expect(judge(c!, d!, 0.005)?.appeared).toBe(false);
  });

  it('pairs by seed: what a seed does to both arms alike cancels', () => {
    // Seeds differ by 5 points, the treatment adds 1 point to each: unpaired it drowns, paired it is clear.
    const [a, b] = arms([0.85, 0.9, 0.95], [0.86, 0.91, 0.961]);
    expect(judge(a!, b!, 0.005)?.appeared).toBe(false);
    expect(judgePaired(a!, b!, 0.005)).toMatchObject({ effect: expect.closeTo(0.0103, 4), seeds: 3, paired: true, appeared: true });
    expect(judgePaired(a!, b!, 0.005)!.noise).toBeCloseTo(0.000577, 5);
  });

  it('does not judge on one seed, however large the effect', () => {
    const [a, b] = arms([0.5], [0.95]);
    expect(judge(a!, b!, 0.01)).toMatchObject({ seeds: 1, appeared: null });
    expect(judgePaired(a!, b!, 0.01)).toMatchObject({ seeds: 1, appeared: null });
  });

  it('combines parts: any false is false, else any not judged is not judged', () => {
    expect(allOf([true, true])).toBe(true);
    expect(allOf([true, null])).toBeNull();
    expect(allOf([null, false])).toBe(false);
    expect(allOf([])).toBeNull();
  });

  it('has the F table of scipy at the 95% point', () => {
    // Indexed by degrees of freedom − 1: five seeds each have 4 and 4.
    expect(F_CRITICAL_95[3]![3]).toBe(6.39);
    expect(F_CRITICAL_95[2]![2]).toBe(9.28);
    expect(F_CRITICAL_95[0]![0]).toBe(161.45);
  });
});

describe('verdicts', () => {
  describe('the common comparison with a base arm (batch norm, residual)', () => {
    for (const [id, good, flat] of [
      ['batch-norm', [[0.3, 0.32, 0.34], [0.8, 0.82, 0.84]], [[0.8, 0.82, 0.84], [0.81, 0.83, 0.85]]],
      ['residual', [[0.11, 0.11, 0.11], [0.85, 0.86, 0.87]], [[0.85, 0.86, 0.87], [0.86, 0.87, 0.88]]],
    ] as const) {
      it(`${id}: appears on a clear gain, not on a small one, not judged on one seed, and names a diverged arm`, () => {
        const l = lesson(id);
        const plan = l.plan('standard');
        const [baseLabel, label] = plan.arms.map((a) => a.label) as [string, string];
        const yes = l.verdict(accuracies(...good.map((a) => [...a])), plan);
        expect(yes.appeared).toBe(true);
        expect(yes.text).toContain(`${label}: +`);
        expect(yes.text).toContain(` for ${label} clears the threshold of `);
        expect(yes.judged).toEqual([{ quantity: `test accuracy ${id === 'residual' ? 'after 5 epochs' : 'after 3 epochs'} (mean over seeds)`, against: expect.stringMatching(/^\d+\.\d points, or 2 × the larger seed spread \(±\d\.\d points\) if larger$/), appeared: true }]);
        const no = l.verdict(accuracies(...flat.map((a) => [...a])), plan);
        expect(no.appeared).toBe(false);
        expect(no.text).toMatch(new RegExp(`No clear effect: \\+\\d\\.\\d points for ${label} is within the threshold of `));
        const one = l.verdict(accuracies([good[0][0]], [good[1][0]]), l.plan('small'));
        expect(one.appeared).toBeNull();
        expect(one.text).toContain(`Not judged: +${((good[1][0] - good[0][0]) * 100).toFixed(1)} points for ${label} rests on one seed`);
        expect(one.judged[0]!.against).toBe('one seed: not judged (no spread to compare against)');
        const gone = l.verdict(accuracies([...good[0]], [null, null, null]), plan);
        expect(gone.appeared).toBeNull();
        expect(gone.text).toBe(`Cannot tell: ${label}: no test accuracy (every run diverged).`);
        const baseGone = l.verdict(accuracies([null, null, 0.3], [...good[1]]), plan);
        expect(baseGone.text).toContain(`${baseLabel}: 2 of 3 diverged, left out.`);
        expect(baseGone.appeared).toBeNull(); // one base seed left: no spread
      });
    }

    it('batch-norm: the exact sentences', () => {
      const l = lesson('batch-norm');
      const v = l.verdict(accuracies([0.7, 0.71, 0.72], [0.88, 0.885, 0.89]), l.plan('standard'));
      expect(v.text).toBe(
        'batch norm: +17.5 points test accuracy vs no batch norm after 3 epochs, 3 seeds (spread ±1.0 points). ' +
          'The effect appeared: +17.5 points for batch norm clears the threshold of 2.0 points (the larger of 1.0 points and 2 × the larger seed spread).',
      );
      expect(v.arms.map((a) => [a.label, a.metric, Number(a.mean!.toFixed(4)), Number(a.spread!.toFixed(4)), a.seeds])).toEqual([
        ['no batch norm', 'testAccuracy', 0.71, 0.01, 3],
        ['batch norm', 'testAccuracy', 0.885, 0.005, 3],
      ]);
    });
  });

  describe('dropout: test loss and the train/test gap, paired by seed', () => {
    const l = lesson('dropout');
    const plan = l.plan('standard');
    /** [test loss, training loss] per seed, per arm. */
    const losses = (...arms: Array<Array<[number, number] | null>>) =>
      arms.flatMap((values, arm) => values.map((v, i) => (v === null ? run(arm, i + 1, { epochs: 3 }, 'diverged') : run(arm, i + 1, { testLoss: v[0], loss: v[1], testAccuracy: 0.9 }))));

    it('appears when dropout lowers both, beyond the spread of the per-seed differences', () => {
      const v = l.verdict(
        losses(
          [[0.417, 0.003], [0.439, 0.003], [0.43, 0.003]],
          [[0.41, 0.005], [0.43, 0.005], [0.42, 0.005]],
          [[0.342, 0.021], [0.369, 0.022], [0.35, 0.02]],
        ),
        plan,
      );
      expect(v.appeared).toBe(true);
      expect(v.text).toContain('dropout 0.5: -0.075 test loss vs dropout 0 after 20 epochs, 3 seeds (paired by seed, spread ±0.005).');
      expect(v.text).toContain('The effect appeared: -0.075 for dropout 0.5 clears the threshold of 0.020 (the larger of 0.020 and 2 × the spread of the per-seed differences).');
      expect(v.text).toContain('dropout 0.5: -0.093 train/test loss gap vs dropout 0');
      expect(v.text).toContain('Test accuracy (mean, not judged): dropout 0 90.0%');
      expect(v.judged.map((j) => [j.quantity, j.appeared])).toEqual([
        ['test loss after 20 epochs (paired by seed)', true],
        ['train/test loss gap after 20 epochs (paired by seed)', true],
      ]);
      expect(v.arms[0]).toMatchObject({ label: 'dropout 0', metric: 'testLoss', seeds: 3 });
    });

    it('does not appear when the loss drops but the gap does not narrow clearly', () => {
      // Here the training loss falls as much as the test loss: the gap stays (a network that was not overfitting).
      const v = l.verdict(
        losses(
          [[0.42, 0.05], [0.44, 0.05], [0.43, 0.05]],
          [[0.42, 0.05], [0.44, 0.05], [0.43, 0.05]],
          [[0.39, 0.02], [0.405, 0.015], [0.4, 0.02]],
        ),
        plan,
      );
      expect(v.judged.map((j) => j.appeared)).toEqual([true, false]);
      expect(v.appeared).toBe(false);
    });

    it('names a diverged arm and judges the others', () => {
      const v = l.verdict(losses([[0.42, 0.003], [0.44, 0.003], [0.43, 0.003]], [null, null, null], [[0.34, 0.02], [0.37, 0.02], [0.35, 0.02]]), plan);
      expect(v.text).toContain('dropout 0.2: no test loss (every run diverged).');
      expect(v.appeared).toBe(true);
    });
  });

  describe('early-stopping: test loss, paired by seed', () => {
    const l = lesson('early-stopping');
    const plan = l.plan('standard');
    const losses = (a: number[], b: Array<number | null>, stoppedAt = 9) => [
      ...a.map((v, i) => run(0, i + 1, { testLoss: v, testAccuracy: 0.87, epochs: 30 })),
      ...b.map((v, i) => (v === null ? run(1, i + 1, null, 'failed') : run(1, i + 1, { testLoss: v, testAccuracy: 0.86, epochs: stoppedAt, bestEpoch: stoppedAt - 6 }))),
    ];

    it('appears when restoring the best weights lowers the test loss clearly', () => {
      const v = l.verdict(losses([0.62, 0.6, 0.64], [0.48, 0.5, 0.51]), plan);
      expect(v.appeared).toBe(true);
      expect(v.text).toContain('early stopping (restore best): -0.123 test loss vs no early stopping within 30 epochs, 3 seeds (paired by seed, spread ±0.021)');
      expect(v.text).toContain('Early stopping ended after 9.0 of 30 epochs on average. Test accuracy (not judged): 87.0% without, 86.0% with.');
      expect(v.judged[0]!.quantity).toBe('test loss within 30 epochs (paired by seed)');
    });

    it('names a diverged run of either arm and judges the seeds left', () => {
      const runs = losses([0.62, 0.6, 0.64], [0.48, 0.5, 0.51]).map((r) => (r.arm === 0 && r.seed === 2 ? run(0, 2, { epochs: 12 }, 'diverged') : r));
      const v = l.verdict(runs, plan);
      expect(v.text).toContain('no early stopping: 1 of 3 diverged, left out.');
      expect(v.text).toContain('early stopping (restore best): -0.135 test loss vs no early stopping within 30 epochs, 2 seeds (paired by seed, spread ±0.007)');
      expect(v.appeared).toBe(true);
      const all = l.verdict(losses([0.62, 0.6, 0.64], [0.48, 0.5, 0.51]).map((r) => (r.arm === 1 ? run(1, r.seed, { epochs: 3 }, 'diverged') : r)), plan);
      expect(all.appeared).toBeNull();
      expect(all.text).toBe('Cannot tell: early stopping (restore best): no test loss (every run diverged).');
    });

    it('does not when the per-seed differences disagree, and names failed runs', () => {
      const v = l.verdict(losses([0.5, 0.55, 0.6], [0.45, 0.6, null]), plan);
      expect(v.appeared).toBe(false);
      expect(v.text).toContain('2 seeds (paired by seed, spread ±0.071; 1 of 3 failed or missing, left out).');
    });
  });

  describe('lr-decay: the fine-tuning phase, paired by seed', () => {
    const l = lesson('lr-decay');
    const plan = l.plan('standard');
    /** Validation loss over 8 epochs; the two arms share the first 6 (same seed), then go on as given. */
    const curve = (arm: number, seed: number, last: [number, number], testLoss = 0.35) =>
      run(arm, seed, { testLoss, testAccuracy: 0.91 }, 'completed', { valLoss: [0.6, 0.5, 0.45, 0.42, 0.4, 0.39 + 0.001 * seed, ...last] });

    it('appears when fine-tuning lowers the validation loss over its epochs in every seed, and says how the arms differ', () => {
      const constant = [[0.37, 0.38], [0.36, 0.39], [0.38, 0.37], [0.4, 0.39], [0.37, 0.38]] as const;
      const tuned = [[0.35, 0.35], [0.352, 0.351], [0.353, 0.352], [0.355, 0.354], [0.351, 0.35]] as const;
      const v = l.verdict([...constant.map((c, i) => curve(0, i + 1, [...c], 0.36)), ...tuned.map((c, i) => curve(1, i + 1, [...c], 0.34))], plan);
      expect(v.appeared).toBe(true);
      expect(v.text.startsWith('Both arms train identically for 6 epochs; then one fine-tunes for 2 at LR 0.005. LR ×0.1 after epoch 6: -0.027 validation loss vs constant LR 0.05 averaged over epochs 7–8, 5 seeds (paired by seed, spread ±0.007).')).toBe(true);
      expect(v.text).toContain('Final test loss (mean, not judged): constant LR 0.05 0.360, LR ×0.1 after epoch 6 0.340.');
      expect(v.judged).toEqual([
        { quantity: 'validation loss averaged over epochs 7–8 (paired by seed)', against: '0.010, or 2 × the spread of the per-seed differences (±0.007) if larger', appeared: true },
      ]);
      expect(v.arms[0]!.metric).toBe('valLoss, mean of epochs 7–8');
    });

    it('does not appear when the constant run settles as low in some seeds', () => {
      const constant = [[0.37, 0.38], [0.35, 0.35], [0.38, 0.37], [0.35, 0.351], [0.37, 0.38]] as const;
      const tuned = [[0.35, 0.35], [0.352, 0.351], [0.353, 0.352], [0.355, 0.354], [0.351, 0.35]] as const;
      const v = l.verdict([...constant.map((c, i) => curve(0, i + 1, [...c])), ...tuned.map((c, i) => curve(1, i + 1, [...c]))], plan);
      expect(v.appeared).toBe(false);
    });

    it('has no number for a run whose fine-tuning epochs are missing (it diverged or stopped early)', () => {
      const v = l.verdict([curve(0, 1, [0.37, 0.38]), run(0, 2, { epochs: 7 }, 'diverged'), curve(1, 1, [0.35, 0.35]), run(1, 2, { testLoss: 0.3 }, 'stopped', { valLoss: [0.6, 0.5, 0.45, 0.42, 0.4, 0.39, 0.35] })], l.plan('small'));
      expect(v.appeared).toBeNull();
      expect(v.text).toContain('constant LR 0.05: 1 of 2 diverged, left out.');
    });
  });

  describe('ensemble: accuracy paired by seed, and the seed-to-seed variance', () => {
    const l = lesson('ensemble');
    const plan = l.plan('standard');

    it('appears when each ensemble beats its first member and the ensembles vary less (F test)', () => {
      const v = l.verdict(finals('testAccuracy', [0.835, 0.86, 0.888, 0.852, 0.857], [0.896, 0.902, 0.906, 0.902, 0.901]), plan);
      expect(v.appeared).toBe(true);
      expect(v.text).toContain('ensemble of 5: +4.3 points test accuracy vs single model after 2 epochs, 5 seeds (paired by seed, spread ±1.6 points).');
      expect(v.text).toContain('variance ratio 28.7 exceeds 6.39 (the 95% point of the F distribution for these seed counts): the ensemble varies less from seed to seed.');
      expect(v.judged.map((j) => [j.quantity, j.against, j.appeared])).toEqual([
        ['test accuracy after 2 epochs (paired by seed)', '0.5 points, or 2 × the spread of the per-seed differences (±1.6 points) if larger', true],
        ['seed-to-seed variance of test accuracy after 2 epochs, single model ÷ ensemble', '6.39, the 95% point of the F distribution for 5 seeds and 5 seeds', true],
      ]);
    });

    it('does not appear when the spreads are alike, though the ensembles are more accurate', () => {
      const v = l.verdict(finals('testAccuracy', [0.81, 0.82, 0.83, 0.82, 0.81], [0.85, 0.86, 0.87, 0.86, 0.85]), plan);
      expect(v.judged.map((j) => j.appeared)).toEqual([true, false]);
      expect(v.appeared).toBe(false);
      expect(v.text).toContain('does not exceed 6.39');
    });

    it('does not judge on one seed', () => {
      const v = l.verdict(finals('testAccuracy', [0.81], [0.85]), l.plan('small'));
      expect(v.appeared).toBeNull();
      expect(v.judged.map((j) => j.against)).toEqual(['one pair: not judged (no spread to compare against)', 'one seed: not judged (no spread to compare)']);
    });

    it('names a diverged ensemble run and judges the seeds left', () => {
      const v = l.verdict(finals('testAccuracy', [0.835, 0.86, 0.888, 0.852, 0.857], [0.896, null, 0.906, 0.902, 0.901]), plan);
      expect(v.text).toContain('4 seeds (paired by seed, spread ±');
      expect(v.text).toContain('1 of 5 diverged, left out');
    });
  });

  describe('clipping: accuracy reached, not only the absence of NaN', () => {
    const l = lesson('clipping');
    const plan = l.plan('standard');

    it('appears when θ=1 learns where no clipping diverged, and says θ=10 stayed finite at chance', () => {
      const v = l.verdict(finals('testAccuracy', [null, null, null], [0.108, 0.101, 0.098], [0.82, 0.8, 0.81]), plan);
      expect(v.appeared).toBe(true);
      expect(v.text).toBe(
        'no clipping: 3 of 3 runs diverged. clip norm θ=10: 0 of 3 runs diverged; it reached 10.2% ± 0.5 points test accuracy. ' +
          'clip norm θ=1: 0 of 3 runs diverged; it reached 81.0% ± 1.0 points test accuracy. ' +
          'clip norm θ=10 kept every run finite but stayed within 0.2 points of chance (10.0%): finite is not the same as learning. ' +
          'clip norm θ=1 is 71.0 points above chance (10.0%) (threshold 20.0 points: the larger of 20.0 points and 2 × its seed spread). ' +
          'The effect appeared: at learning rate 2, clip norm θ=1 learned where no clipping diverged.',
      );
      expect(v.judged.map((j) => j.appeared)).toEqual([false, true]);
      expect(v.judged[1]!.quantity).toBe('test accuracy after 3 epochs with clip norm θ=1, mean over seeds, minus chance (10.0%); a diverged run counts as not learned');
      expect(v.arms.map((a) => [a.label, a.seeds])).toEqual([['no clipping', 0], ['clip norm θ=10', 3], ['clip norm θ=1', 3]]);
    });

    it('does not appear when only "no NaN" holds: every clipped arm finite but at chance', () => {
      const v = l.verdict(finals('testAccuracy', [null, null, null], [0.1, 0.11, 0.1], [0.12, 0.1, 0.11]), plan);
      expect(v.appeared).toBe(false);
      expect(v.text).toContain('No clear effect: no clipped arm learned at learning rate 2.');
    });

    it('does not appear when a clipped run diverges too, or when the unclipped runs learned as well', () => {
      const diverged = l.verdict(finals('testAccuracy', [null, null, null], [null, null, null], [0.8, null, 0.82]), plan);
      expect(diverged.appeared).toBe(false);
      expect(diverged.text).toContain('clip norm θ=1 did not keep every run finite.');
      const unneeded = l.verdict(finals('testAccuracy', [0.85, 0.86, 0.84], [0.85, 0.86, 0.84], [0.85, 0.86, 0.84]), plan);
      expect(unneeded.appeared).toBe(false);
    });
  });

  describe('optimizer-race: at defaults and at the best rate of each grid', () => {
    const l = lesson('optimizer-race');
    const plan = l.plan('standard');
    // Validation accuracy after epoch 1 per arm (SGD 0.01, 0.1, 0.5; momentum 0.001, 0.01, 0.1; Adam 1e-4, 1e-3, 1e-2).
    const race = (first: Array<number | 'diverged'>) =>
      first.flatMap((v, arm) => [1, 2, 3].map((s) => (v === 'diverged' ? run(arm, s, null, 'diverged') : run(arm, s, { testAccuracy: v }, 'completed', { valAccuracy: [v + 0.002 * s, v + 0.03, v + 0.05] }))));

    it('appears when momentum and Adam lead even the tuned SGD', () => {
      const v = l.verdict(race([0.539, 0.807, 0.728, 0.504, 0.84, 0.835, 0.538, 0.857, 0.882]), plan);
      expect(v.appeared).toBe(true);
      expect(v.text).toContain('At the default learning rates, against SGD LR 0.01 (default): momentum LR 0.01 (default) +30.1 points');
      expect(v.text).toContain('At the best learning rate of each grid, against SGD LR 0.1: momentum LR 0.01 (default) +3.3 points (3 seeds, spread ±0.2 points), Adam LR 0.01 +7.5 points');
      expect(v.judged.map((j) => j.appeared)).toEqual([true, true]);
      expect(v.judged[1]!.quantity).toContain('each at the best rate of its grid (chosen on this same number)');
    });

    it('does not appear when the lead at the defaults vanishes once SGD has its best rate', () => {
      const v = l.verdict(race([0.539, 0.85, 0.728, 0.504, 0.84, 0.835, 0.538, 0.857, 0.84]), plan);
      expect(v.judged.map((j) => j.appeared)).toEqual([true, false]);
      expect(v.appeared).toBe(false);
      expect(v.text).toContain("No clear effect at tuned learning rates: the lead at the defaults comes from SGD's default rate being small; tuned, plain SGD keeps up.");
    });

    it('leaves a diverged grid point out of the tuning and names it', () => {
      const v = l.verdict(race([0.539, 0.807, 'diverged', 0.504, 0.84, 0.835, 0.538, 0.857, 'diverged']), plan);
      expect(v.text).toContain('SGD LR 0.5 –, –, – (to 90.0%: not within 3) (3 of 3 diverged, left out)');
      expect(v.text).toContain('At the best learning rate of each grid, against SGD LR 0.1: momentum LR 0.01 (default) +3.3 points (3 seeds, spread ±0.2 points), Adam LR 0.001 (default) +5.0 points');
      expect(v.appeared).toBe(true);
    });
  });

  describe('init-scale: at initialisation and after training', () => {
    const l = lesson('init-scale');
    const plan = l.plan('standard'); // hidden layers at layers[2] … layers[7]
    /** One run: the activation std of the first and last hidden layer at init, and the test accuracy (null: diverged). */
    const init = (arm: number, seed: number, first: number, last: number, accuracy: number | null) =>
      run(arm, seed, accuracy === null ? { epochs: 0 } : { testAccuracy: accuracy }, accuracy === null ? 'diverged' : 'completed', {
        'init.layer.layers[2].activationStd': [first],
        'init.layer.layers[7].activationStd': [last],
      });
    const runs = (arms: Array<[number, number, number | null]>) =>
      arms.flatMap(([first, last, accuracy], arm) => [1, 2, 3].map((s) => init(arm, s, first * (1 + 0.02 * s), last * (1 - 0.03 * s), accuracy === null ? null : accuracy + 0.01 * s)));

    it('appears when N(0,1) explodes, N(0,1/n_in) and Xavier shrink, He holds the spread and trains best; a diverged N(0,1) still has its statistics at init', () => {
      const v = l.verdict(runs([[16, 5.7e5, null], [0.47, 0.00028, 0.095], [0.57, 0.11, 0.405], [0.75, 0.14, 0.596], [0.81, 0.87, 0.785]]), plan);
      expect(v.appeared).toBe(true);
      expect(v.text).toContain('At initialisation, the activation std from the first to the last of 6 hidden ReLU layers grows: N(0,1) 3.2e4×, U(-0.05, 0.05) 5.4e-4×, N(0,1/n_in) 0.17×, Xavier 0.17×, He 0.97× (mean over seeds).');
      expect(v.text).toContain('N(0,1) grows it more than He by: 4.52 decades');
      expect(v.text).toContain('Test accuracy after 2 epochs with plain SGD (mean over seeds): N(0,1) — (every run diverged), U(-0.05, 0.05) 11.5% ± 1.0 points');
      expect(v.text).toContain("He's smallest lead is over Xavier: 18.9 points");
      expect(v.text).toContain('Diverged in training: N(0,1) 3 of 3.');
      expect(v.judged.map((j) => j.appeared)).toEqual([true, true, true]);
      expect(v.arms[0]).toEqual({ label: 'N(0,1)', metric: 'log10 activationStd, last ÷ first hidden layer, at init', mean: expect.closeTo(4.51, 1), spread: expect.any(Number), seeds: 3 });
    });

    it('does not appear when He does not hold the spread above Xavier at init', () => {
      const v = l.verdict(runs([[16, 5.7e5, null], [0.47, 0.00028, 0.095], [0.57, 0.11, 0.405], [0.75, 0.5, 0.596], [0.81, 0.6, 0.785]]), plan);
      expect(v.judged.map((j) => j.appeared)).toEqual([true, false, true]);
      expect(v.appeared).toBe(false);
      expect(v.text).toContain('No clear effect: at initialisation the spreads do not separate as claimed.');
    });

    it('does not appear when He trains no better than Xavier, and cannot tell without statistics at init', () => {
      const flat = l.verdict(runs([[16, 5.7e5, null], [0.47, 0.00028, 0.095], [0.57, 0.11, 0.405], [0.75, 0.14, 0.78], [0.81, 0.87, 0.785]]), plan);
      expect(flat.judged.map((j) => j.appeared)).toEqual([true, true, false]);
      expect(flat.appeared).toBe(false);
      const none = l.verdict(finals('testAccuracy', [0.1], [0.1], [0.4], [0.6], [0.8]), l.plan('small'));
      expect(none.appeared).toBeNull();
      expect(none.text).toContain('N(0,1) — (every run failed or is missing)');
    });
  });

  describe('input-scaling: every scaling against raw pixels, per optimizer', () => {
    const l = lesson('input-scaling');
    const plan = l.plan('standard');
    const by = (accuracies: Array<number | null>) => finals('testAccuracy', ...accuracies.map((a) => [1, 2, 3].map((s) => (a === null ? null : a + 0.004 * s))));

    it('appears when every scaling beats raw inputs with both optimizers', () => {
      const v = l.verdict(by([0.732, 0.816, 0.852, 0.17, 0.891, 0.871, 0.888, 0.833]), plan);
      expect(v.appeared).toBe(true);
      expect(v.text).toContain("SGD: [0,1] 74.0% ± 0.4 points, [-1,1] 82.4% ± 0.4 points, standardised 86.0% ± 0.4 points, raw 0–255 17.8% ± 0.4 points; the smallest lead over raw inputs is [0,1]'s 56.2 points");
      expect(v.text).toContain("Adam: [0,1] 89.9% ± 0.4 points, [-1,1] 87.9% ± 0.4 points, standardised 89.6% ± 0.4 points, raw 0–255 84.1% ± 0.4 points; the smallest lead over raw inputs is [-1,1]'s 3.8 points");
      expect(v.judged.map((j) => [j.quantity, j.appeared])).toEqual([
        ['test accuracy after 3 epochs with SGD: each scaling above raw 0–255 (mean over seeds)', true],
        ['test accuracy after 3 epochs with Adam: each scaling above raw 0–255 (mean over seeds)', true],
      ]);
    });

    it('says for which optimizer it does not show', () => {
      const v = l.verdict(by([0.732, 0.816, 0.852, 0.17, 0.891, 0.871, 0.888, 0.875]), plan);
      expect(v.appeared).toBe(false);
      expect(v.text).toContain('No clear effect for Adam; it does show for SGD.');
    });

    it('counts raw inputs that diverged as beaten by every scaling that trained', () => {
      const v = l.verdict(by([0.732, 0.816, 0.852, null, 0.891, 0.871, 0.888, 0.833]), plan);
      expect(v.text).toContain('raw 0–255 — (every run diverged); raw inputs diverged in every run: every scaling beats raw inputs.');
      expect(v.appeared).toBe(true);
    });
  });
});
