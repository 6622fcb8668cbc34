import { describe, expect, it } from 'vitest';
import { aggregateCurves, groupBySetup, setupKey, spreadOf, type RunSetup } from '../../shared/analysis/index.js';

describe('spreadOf', () => {
  it('computes mean, sample std, min and max', () => {
    const s = spreadOf([2, 4, 4, 4, 5, 5, 7, 9])!;
    expect(s.n).toBe(8);
    expect(s.mean).toBe(5);
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(s.min).toBe(2);
    expect(s.max).toBe(9);
    expect(spreadOf([0.9, 0.92])).toEqual({ n: 2, mean: 0.91, std: expect.closeTo(0.0141421356, 9), min: 0.9, max: 0.92 });
  });

  it('gives std 0 for one value, skips nulls and non-finite numbers, and is null when nothing is left', () => {
    expect(spreadOf([3])).toEqual({ n: 1, mean: 3, std: 0, min: 3, max: 3 });
    expect(spreadOf([null, 1, NaN, 3, Infinity])).toEqual({ n: 2, mean: 2, std: Math.SQRT2, min: 1, max: 3 });
    expect(spreadOf([])).toBeNull();
    expect(spreadOf([null, NaN])).toBeNull();
  });
});

describe('aggregateCurves', () => {
  it('takes the union of x and aggregates what each x has, skipping nulls', () => {
    const band = aggregateCurves([
      { x: [0, 1, 2], y: [1, 2, 3] },
      { x: [0, 1, 2, 3], y: [3, null, 5, 8] },
      { x: [1, 4], y: [5, null] },
    ]);
    expect(band.x).toEqual([0, 1, 2, 3, 4]);
    expect(band.n).toEqual([2, 2, 2, 1, 0]);
    expect(band.mean.slice(0, 4)).toEqual([2, 3.5, 4, 8]);
    expect(band.std.slice(0, 4).map((v) => Number(v.toFixed(6)))).toEqual([1.414214, 2.12132, 1.414214, 0]);
    expect(band.min.slice(0, 4)).toEqual([1, 2, 3, 8]);
    expect(band.max.slice(0, 4)).toEqual([3, 5, 5, 8]);
    expect(band.mean[4]).toBeNaN();
  });

  it('is empty for no curves', () => {
    expect(aggregateCurves([])).toEqual({ x: [], mean: [], std: [], min: [], max: [], n: [] });
  });
});

describe('groupBySetup', () => {
  it('groups by key in the order of first appearance', () => {
    const runs = [
      { id: 1, key: 'a' },
      { id: 2, key: 'b' },
      { id: 3, key: 'a' },
      { id: 4, key: 'c' },
      { id: 5, key: 'b' },
    ];
    expect(groupBySetup(runs, (r) => r.key).map((g) => g.map((r) => r.id))).toEqual([[1, 3], [2, 5], [4]]);
    expect(groupBySetup([], (r: string) => r)).toEqual([]);
  });

  it('setupKey ignores the seed, the backend and key order, but not the rest', () => {
    const setup = (seed: number, rate: number, backend?: string): RunSetup => ({
      spec: { version: 1, name: 'm', loss: 'categoricalCrossentropy', layers: [{ type: 'input', shape: [2] }, { type: 'dense', units: 2 }] },
      config: { epochs: 2, batchSize: 8, seed, tricks: { dropout: { rate }, adam: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } } },
      dataset: { kind: 'mnist' },
      ...(backend ? { backend } : {}),
    });
    const groups = groupBySetup([setup(1, 0.5), setup(2, 0.5, 'cpu'), setup(1, 0.2), setup(3, 0.5)], setupKey);
    expect(groups.map((g) => g.map((s) => s.config.seed))).toEqual([[1, 2, 3], [1]]);
    const reordered = setup(9, 0.5);
    reordered.config = { tricks: reordered.config.tricks, seed: 9, batchSize: 8, epochs: 2 };
    expect(setupKey(reordered)).toBe(setupKey(setup(1, 0.5)));
  });
});

describe('stored configs of older versions', () => {
  it('group and diff with today\'s: early stopping\'s old restoreBest: true is the same setup as \'always\'', async () => {
    const { diffRuns } = await import('../../shared/analysis/index.js');
    const { parseTrainingConfig } = await import('../../shared/index.js');
    const parsed = parseTrainingConfig({ epochs: 3, batchSize: 32, seed: 1, tricks: { adam: {}, earlyStopping: { restoreBest: 'always' } } });
    if (!parsed.ok) throw new Error('config');
    const today = parsed.value;
    const stored = JSON.parse(JSON.stringify(today)) as typeof today;
    (stored.tricks.earlyStopping as unknown as Record<string, unknown>).restoreBest = true;
    const spec = { version: 1 as const, name: 'm', loss: 'categoricalCrossentropy' as const, layers: [{ type: 'input' as const, shape: [2] }, { type: 'dense' as const, units: 2, activation: 'softmax' as const }] };
    const dataset = { kind: 'synthetic' as const, name: 'spiral' as const, samples: 300, classes: 2, noise: 0.1 };
    const a: RunSetup = { spec, config: today, dataset };
    const b: RunSetup = { spec, config: { ...stored, seed: 2 }, dataset };
    expect(setupKey(a)).toBe(setupKey(b));
    expect(diffRuns([a, b]).map((r) => r.field)).toEqual(['seed']);
  });
});
