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

describe('lesson registry', () => {
  it('lists the nine lessons of the note in order, findable by id', () => {
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
    ]);
    expect(findLesson('dropout')).toBe(LESSONS[2]);
    expect(findLesson('nope')).toBeUndefined();
    expect(NOISE_FACTOR).toBe(2);
  });

  it('describes each lesson with its arms and the runs per budget', () => {
    expect(lessonInfo(lesson('dropout'))).toEqual({
      id: 'dropout',
      letter: 'c',
      title: 'Dropout 0 / 0.2 / 0.5',
      claim: expect.stringContaining('overfits less'),
      plan: {
        small: 'MNIST (first 1000 training digits), MLP 784-128-10 relu, 3 epochs, 3 arms (dropout 0, dropout 0.2, dropout 0.5) × 1 seed = 3 runs',
        standard: 'MNIST (first 2000 training digits), MLP 784-256-256-10 relu, 15 epochs, 3 arms (dropout 0, dropout 0.2, dropout 0.5) × 3 seeds = 9 runs',
      },
      arms: ['dropout 0', 'dropout 0.2', 'dropout 0.5'],
      runs: { small: 3, standard: 9 },
    });
    expect(lessonInfo(lesson('ensemble')).arms).toEqual(['single model', 'ensemble of 5']);
    expect(lessonInfo(lesson('optimizer-race')).runs).toEqual({ small: 3, standard: 9 });
  });
});

describe('lesson plans', () => {
  // What each lesson varies: its arms differ from the first arm in exactly these diffRuns rows.
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
  };

  for (const l of LESSONS) {
    for (const budget of LESSON_BUDGETS) {
      it(`${l.info.id} (${budget}): every arm parses, type-checks against the dataset and varies one thing`, () => {
        const plan = l.plan(budget);
        expect(DatasetRefSchema.safeParse(plan.dataset).success).toBe(true);
        const shape = datasetRefShape(plan.dataset);
        expect(plan.arms.length).toBeGreaterThanOrEqual(2);
        expect(new Set(plan.arms.map((a) => a.label)).size).toBe(plan.arms.length);
        expect(plan.seeds.length).toBe(budget === 'small' ? 1 : 3);
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
          if (varies[l.info.id] === 'model') expect(r.length > 0 && r.every((row) => row.field.startsWith('model.'))).toBe(true);
          else expect(r.map((row) => row.field)).toEqual(varies[l.info.id]);
        }
        expect(l.metrics.length).toBeGreaterThan(0);
      });
    }

    it(`${l.info.id}: the small budget is small (≤ 3 epochs on ≤ 2000 digits, or as much work)`, () => {
      const plan = l.plan('small');
      const train = datasetRefSplit(plan.dataset).train;
      expect(train).toBeLessThanOrEqual(2000);
      // Digit-epochs trained in all, ensemble members counted.
      const work = plan.arms.reduce((sum, a) => sum + a.config.epochs * train * ((a.config.tricks.ensemble?.members as number | undefined) ?? 1), 0) * plan.seeds.length;
      expect(work).toBeLessThanOrEqual(15_000);
    });
  }
});

describe('verdicts', () => {
  describe('dropout (the common comparison with a base arm)', () => {
    const d = lesson('dropout');
    const plan = d.plan('standard');

    it('reports an effect that clears twice the seed spread', () => {
      const v = d.verdict(accuracies([0.9, 0.91, 0.92], [0.915, 0.92, 0.925], [0.93, 0.935, 0.94]), plan);
      expect(v.appeared).toBe(true);
      expect(v.text).toBe(
        'dropout 0.2: +1.0 points test accuracy vs dropout 0 after 15 epochs, 3 seeds (spread ±1.0 points). ' +
          'dropout 0.5: +2.5 points test accuracy vs dropout 0 after 15 epochs, 3 seeds (spread ±1.0 points). ' +
          'The effect appeared: +2.5 points for dropout 0.5 clears the threshold of 2.0 points (the larger of 0.5 points and 2 × the seed spread).',
      );
      expect(v.arms.map((a) => [a.label, a.metric, Number(a.mean!.toFixed(4)), Number(a.spread!.toFixed(4)), a.seeds])).toEqual([
        ['dropout 0', 'testAccuracy', 0.91, 0.01, 3],
        ['dropout 0.2', 'testAccuracy', 0.92, 0.005, 3],
        ['dropout 0.5', 'testAccuracy', 0.935, 0.005, 3],
      ]);
    });

    it('says plainly when the effect stays within the seed spread', () => {
      const v = d.verdict(accuracies([0.9, 0.91, 0.92], [0.9, 0.91, 0.92], [0.905, 0.915, 0.925]), plan);
      expect(v.appeared).toBe(false);
      expect(v.text).toContain('dropout 0.5: +0.5 points test accuracy vs dropout 0 after 15 epochs, 3 seeds (spread ±1.0 points).');
      expect(v.text).toContain('No clear effect: +0.5 points for dropout 0.5 is within the threshold of 2.0 points');
    });

    it('uses the minimum effect alone with one seed, and names a loss the wrong way', () => {
      const small = d.plan('small');
      const up = d.verdict(accuracies([0.85], [0.853], [0.857]), small);
      expect(up.appeared).toBe(true);
      expect(up.text).toContain('dropout 0.5: +0.7 points test accuracy vs dropout 0 after 3 epochs, 1 seed (one seed, no spread).');
      expect(up.text).toContain('clears the threshold of 0.5 points');
      const down = d.verdict(accuracies([0.85], [0.84], [0.83]), small);
      expect(down.appeared).toBe(false);
      expect(down.text).toContain('No clear effect: -1.0 points for dropout 0.2 is the wrong way and within the threshold of 0.5 points');
    });

    it('leaves diverged and missing runs out and names them', () => {
      const runs = accuracies([0.9, null, 0.92], [0.915, 0.92, 0.925], [0.95, 0.96, 0.97]).filter((r) => !(r.arm === 2 && r.seed === 3));
      const v = d.verdict(runs, plan);
      expect(v.appeared).toBe(true);
      expect(v.text).toContain('dropout 0.5: +4.5 points test accuracy vs dropout 0 after 15 epochs, 2 seeds (spread ±1.4 points; 1 of 3 failed or missing, left out).');
      expect(v.text).toContain('dropout 0: 1 of 3 diverged, left out.');
      expect(v.arms[0]).toEqual({ label: 'dropout 0', metric: 'testAccuracy', mean: 0.91, spread: expect.closeTo(0.01414, 4), seeds: 2 });
    });

    it('cannot tell when the base arm has no numbers', () => {
      const v = d.verdict(accuracies([null, null, null], [0.92, 0.92, 0.92], [0.93, 0.93, 0.93]), plan);
      expect(v).toEqual({
        appeared: false,
        text: 'Cannot tell: dropout 0 has no test accuracy (every run diverged).',
        arms: [
          { label: 'dropout 0', metric: 'testAccuracy', mean: null, spread: null, seeds: 0 },
          { label: 'dropout 0.2', metric: 'testAccuracy', mean: 0.92, spread: 0, seeds: 3 },
          { label: 'dropout 0.5', metric: 'testAccuracy', mean: 0.93, spread: 0, seeds: 3 },
        ],
      });
      const failed = d.verdict([run(0, 1, null, 'failed'), run(1, 1, { testAccuracy: 0.9 }), run(2, 1, null, 'failed')], d.plan('small'));
      expect(failed.appeared).toBe(false);
      expect(failed.text).toBe('Cannot tell: dropout 0 has no test accuracy (every run failed or is missing).');
    });

    it('adds the test loss for context', () => {
      const runs = [run(0, 1, { testAccuracy: 0.9, testLoss: 0.32 }), run(1, 1, { testAccuracy: 0.9 }), run(2, 1, { testAccuracy: 0.9, testLoss: 0.2771 })];
      const v = d.verdict(runs, d.plan('small'));
      expect(v.appeared).toBe(false);
      expect(v.text.endsWith(' Test loss (mean, not judged): dropout 0 0.320, dropout 0.5 0.277.')).toBe(true);
    });
  });

  for (const [id, threshold, good, flat] of [
    ['batch-norm', '1.0 points', [[0.3, 0.32, 0.34], [0.8, 0.82, 0.84]], [[0.8, 0.82, 0.84], [0.81, 0.83, 0.85]]],
    ['lr-decay', '0.5 points', [[0.9, 0.9, 0.9], [0.91, 0.912, 0.914]], [[0.9, 0.905, 0.91], [0.903, 0.907, 0.911]]],
    ['ensemble', '0.5 points', [[0.9, 0.902, 0.904], [0.92, 0.922, 0.924]], [[0.9, 0.91, 0.92], [0.905, 0.915, 0.925]]],
    ['residual', '2.0 points', [[0.11, 0.11, 0.11], [0.85, 0.86, 0.87]], [[0.85, 0.86, 0.87], [0.86, 0.87, 0.88]]],
  ] as const) {
    it(`${id}: appears on a clear gain, not on a small one, and handles diverged runs`, () => {
      const l = lesson(id);
      const plan = l.plan('standard');
      const yes = l.verdict(accuracies(...good.map((a) => [...a])), plan);
      expect(yes.appeared).toBe(true);
      expect(yes.text).toContain(`The effect appeared: +`);
      expect(yes.text).toContain(` for ${plan.arms[1]!.label} clears the threshold of `);
      const no = l.verdict(accuracies(...flat.map((a) => [...a])), plan);
      expect(no.appeared).toBe(false);
      expect(no.text).toMatch(new RegExp(`No clear effect: \\+\\d\\.\\d points for ${plan.arms[1]!.label} is within the threshold of `));
      const gone = l.verdict(accuracies([...good[0]], [null, null, null]), plan);
      expect(gone.appeared).toBe(false);
      expect(gone.text).toBe(`Cannot tell: ${plan.arms[1]!.label}: no test accuracy (every run diverged).`);
      const yesSmall = l.verdict(accuracies([good[0][0]], [good[1][0]]), l.plan('small'));
      expect(yesSmall.text).toContain(`clears the threshold of ${threshold} (the larger of ${threshold} and 2 × the seed spread)`);
    });
  }

  it('ensemble: adds the paired gain over the first member', () => {
    const l = lesson('ensemble');
    const runs = [
      run(0, 1, { testAccuracy: 0.9 }),
      run(1, 1, { testAccuracy: 0.92 }, 'completed', { valAccuracy: [0.85, 0.89], ensembleValAccuracy: [0.87, 0.915] }),
    ];
    const v = l.verdict(runs, l.plan('small'));
    expect(v.appeared).toBe(true);
    expect(v.text).toContain('ensemble of 3: +2.0 points test accuracy vs single model after 2 epochs, 1 seed (one seed, no spread).');
    expect(v.text).toContain("Within the ensemble runs, the ensemble's validation accuracy is +2.5 points over its first member's (1 seed).");
  });

  describe('early-stopping', () => {
    const l = lesson('early-stopping');
    const plan = l.plan('standard');
    const losses = (a: number[], b: Array<number | null>, stoppedAt = 14) => [
      ...a.map((v, i) => run(0, i + 1, { testLoss: v, testAccuracy: 0.85, epochs: 40 })),
      ...b.map((v, i) => (v === null ? run(1, i + 1, null, 'failed') : run(1, i + 1, { testLoss: v, testAccuracy: 0.86, epochs: stoppedAt, bestEpoch: stoppedAt - 6 }))),
    ];

    it('appears when restoring the best weights lowers the test loss clearly', () => {
      const v = l.verdict(losses([0.9, 0.95, 1.0], [0.5, 0.52, 0.54]), plan);
      expect(v.appeared).toBe(true);
      expect(v.text).toContain('early stopping (restore best): -0.430 test loss vs no early stopping within 40 epochs, 3 seeds (spread ±0.050)');
      expect(v.text).toContain('The effect appeared');
      expect(v.text).toContain('Early stopping ended after 14.0 of 40 epochs on average. Test accuracy: 85.0% without, 86.0% with.');
    });

    it('does not when the losses overlap, and names failed runs', () => {
      const v = l.verdict(losses([0.5, 0.55, 0.6], [0.49, 0.54, null]), plan);
      expect(v.appeared).toBe(false);
      expect(v.text).toContain('2 seeds (spread ±0.050; 1 of 3 failed or missing, left out).');
      expect(v.text).toContain('No clear effect: -0.035 for early stopping (restore best) is within the threshold of 0.100 (the larger of 0.020 and 2 × the seed spread).');
    });
  });

  describe('clipping', () => {
    const l = lesson('clipping');
    const plan = l.plan('standard');

    it('counts divergence without clipping as the effect', () => {
      const v = l.verdict(accuracies([null, null, 0.4], [0.88, 0.9, 0.89]), plan);
      expect(v.appeared).toBe(true);
      expect(v.text).toBe(
        'no clipping: 2 of 3 runs diverged; those that finished reached 40.0% test accuracy (1 seed). clip norm θ=1: 0 of 3 runs diverged; those that finished reached 89.0% test accuracy (3 seeds). ' +
          'The effect appeared: clipping kept 2 more runs from diverging at learning rate 2.',
      );
      expect(v.arms.map((a) => [a.label, a.seeds])).toEqual([['no clipping', 1], ['clip norm θ=1', 3]]);
    });

    it('does not appear when the clipped runs diverge as well', () => {
      const v = l.verdict(accuracies([null, null, null], [null, null, null]), plan);
      expect(v.appeared).toBe(false);
      expect(v.text).toContain('No clear effect: clipping did not prevent divergence');
    });

    it('falls back to accuracy when nothing diverges', () => {
      const yes = l.verdict(accuracies([0.3, 0.35, 0.4], [0.88, 0.9, 0.89]), plan);
      expect(yes.appeared).toBe(true);
      expect(yes.text.startsWith('No run diverged. clip norm θ=1: +54.0 points test accuracy vs no clipping after 5 epochs')).toBe(true);
      const no = l.verdict(accuracies([0.88, 0.9, 0.89], [0.88, 0.9, 0.9]), plan);
      expect(no.appeared).toBe(false);
      expect(no.text).toContain('No clear effect');
    });
  });

  describe('optimizer-race', () => {
    const l = lesson('optimizer-race');
    const plan = l.plan('small');
    const curves = (sgd: number[], momentum: number[], adam: Array<number | null> | 'diverged') => [
      run(0, 1, { testAccuracy: 0.8 }, 'completed', { valAccuracy: sgd }),
      run(1, 1, { testAccuracy: 0.9 }, 'completed', { valAccuracy: momentum }),
      adam === 'diverged' ? run(2, 1, null, 'diverged') : run(2, 1, { testAccuracy: 0.9 }, 'completed', { valAccuracy: adam }),
    ];

    it('reports the race per epoch and epochs to the target, and appears when both lead SGD', () => {
      const v = l.verdict(curves([0.5, 0.7, 0.8], [0.82, 0.88, 0.91], [0.86, 0.9, 0.92]), plan);
      expect(v.appeared).toBe(true);
      expect(v.text).toBe(
        'Validation accuracy per epoch (mean over seeds): SGD 50.0%, 70.0%, 80.0% (epochs to 90.0%: not within 3); ' +
          'momentum 82.0%, 88.0%, 91.0% (epochs to 90.0%: 3); Adam 86.0%, 90.0%, 92.0% (epochs to 90.0%: 2). ' +
          'After epoch 1, against SGD: momentum +32.0 points (1 seed, one seed, no spread), Adam +36.0 points (1 seed, one seed, no spread). ' +
          'The effect appeared: both lead SGD by at least the threshold of 2.0 points (the larger of 2.0 points and 2 × the seed spread).',
      );
      expect(v.arms.map((a) => [a.label, a.metric, a.mean])).toEqual([
        ['SGD', 'valAccuracy after epoch 1', 0.5],
        ['momentum', 'valAccuracy after epoch 1', 0.82],
        ['Adam', 'valAccuracy after epoch 1', 0.86],
      ]);
    });

    it('does not appear when one of them does not lead, or has diverged', () => {
      const tie = l.verdict(curves([0.8, 0.85, 0.9], [0.81, 0.86, 0.9], [0.86, 0.9, 0.92]), plan);
      expect(tie.appeared).toBe(false);
      expect(tie.text).toContain("No clear effect: momentum's lead is within the threshold of 2.0 points");
      const diverged = l.verdict(curves([0.5, 0.7, 0.8], [0.82, 0.88, 0.91], 'diverged'), plan);
      expect(diverged.appeared).toBe(false);
      expect(diverged.text).toContain('Adam –, –, – (epochs to 90.0%: not within 3) (1 of 1 diverged, left out)');
      expect(diverged.text).toContain('Adam has no numbers (every run diverged)');
    });
  });

  describe('init-scale', () => {
    const l = lesson('init-scale');
    const plan = l.plan('small'); // hidden layers at layers[2] … layers[5]
    const stds = (arm: number, seed: number, firstStd: number, lastStd: number, status: RunStatus = 'completed') =>
      run(arm, seed, { testAccuracy: 0.5 }, status, {
        'layer.layers[2].activationStd': [firstStd],
        'layer.layers[3].activationStd': [firstStd],
        'layer.layers[4].activationStd': [firstStd],
        'layer.layers[5].activationStd': [lastStd],
      });

    it('appears when N(0,1) grows by decades while the scaled inits stay near 1×', () => {
      const v = l.verdict([stds(0, 1, 16, 3000), stds(1, 1, 0.6, 0.2), stds(2, 1, 0.7, 0.25)], plan);
      expect(v.appeared).toBe(true);
      expect(v.text).toBe(
        'At the end of epoch 1: N(0,1): the activation std grows 1.9e2× from the first to the last hidden layer (16 → 3.0e3, 1 seed). ' +
          'N(0,1/n_in): the activation std grows 0.33× from the first to the last hidden layer (0.6 → 0.2, 1 seed). ' +
          'Xavier: the activation std grows 0.36× from the first to the last hidden layer (0.7 → 0.25, 1 seed). ' +
          "The effect appeared: N(0,1)'s growth is 2.7 decades above the scaled initialisations', past the threshold of 1.0 decades (the larger of 1 and 2 × the seed spread), and both scaled ones stay within 1 decade of 1×.",
      );
      expect(v.arms[0]).toEqual({ label: 'N(0,1)', metric: 'log10 activationStd, last / first hidden layer', mean: expect.closeTo(Math.log10(3000 / 16), 9), spread: null, seeds: 1 });
    });

    it('reads dotted paths too, and does not appear when N(0,1) grows no more than the others', () => {
      const dotted = (arm: number, a: number, b: number) => run(arm, 1, null, 'completed', { 'layer.layers.2.activationStd': [a, 9], 'layer.layers.5.activationStd': [b, 9] });
      const v = l.verdict([dotted(0, 1, 2), dotted(1, 1, 0.5), dotted(2, 1, 0.6)], plan);
      expect(v.appeared).toBe(false);
      expect(v.text).toContain("No clear effect: N(0,1)'s growth is only 0.5 decades above the scaled initialisations'");
    });

    it('counts a diverged N(0,1) as the explosion, and cannot tell without the scaled inits', () => {
      const v = l.verdict([stds(0, 1, 16, 3000, 'diverged'), stds(1, 1, 0.6, 0.2), stds(2, 1, 0.7, 0.25)], plan);
      expect(v.appeared).toBe(true);
      expect(v.text).toContain('N(0,1): no layer statistics; 1 of 1 runs diverged');
      expect(v.text).toContain('The effect appeared: N(0,1) diverged');
      const missing = l.verdict([stds(0, 1, 16, 3000), run(1, 1, null, 'failed'), stds(2, 1, 0.7, 0.25)], plan);
      expect(missing.appeared).toBe(false);
      expect(missing.text).toContain('Cannot tell: a scaled initialisation has no layer statistics.');
    });
  });
});
