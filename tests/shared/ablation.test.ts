import { describe, expect, it } from 'vitest';
import { diffRuns, planAblation, planSeeds, type RunSetup } from '../../shared/analysis/index.js';
import { parseTrainingConfig, type ModelSpec, type TrainingConfig } from '../../shared/index.js';

function config(raw: Record<string, unknown>): TrainingConfig {
  const parsed = parseTrainingConfig({ epochs: 4, batchSize: 32, seed: 11, ...raw });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  return parsed.value;
}

const spec: ModelSpec = {
  version: 1,
  name: 'MLP',
  loss: 'categoricalCrossentropy',
  layers: [{ type: 'input', shape: [2] }, { type: 'dense', units: 8, activation: 'relu' }, { type: 'dense', units: 3, activation: 'softmax' }],
};
const asSetup = (c: TrainingConfig): RunSetup => ({ spec, config: c, dataset: { kind: 'synthetic', name: 'spiral', samples: 300, classes: 3, noise: 0.1 } });

const base = config({ tricks: { standardize: true, dropout: { rate: 0.3 }, sgd: { learningRate: 0.05 }, initHe: true } });

describe('planAblation', () => {
  it('turns tricks off and on, and switches choices, each sibling differing from the base in one row', () => {
    const arms = planAblation(base, ['dropout', 'batchNorm', 'momentum', 'initHe', 'scaleUnit', 'lrExponential']);
    expect(arms.map((a) => [a.trickId, a.label])).toEqual([
      ['dropout', 'dropout off'],
      ['batchNorm', 'batchNorm on'],
      ['momentum', 'optimizer → momentum'],
      ['initHe', 'initHe off'],
      ['scaleUnit', 'inputScaling → scaleUnit'],
      ['lrExponential', 'lrSchedule → lrExponential'],
    ]);
    const fields = ['dropout', 'batchNorm', 'optimizer', 'init', 'inputScaling', 'lrSchedule'];
    arms.forEach((arm, i) => {
      const rows = diffRuns([asSetup(base), asSetup(arm.config)]);
      expect(rows.map((r) => r.field)).toEqual([fields[i]]);
      expect(arm.config.seed).toBe(11);
      expect(arm.config.epochs).toBe(4);
      expect(arm.config.batchSize).toBe(32);
    });
    expect(diffRuns([asSetup(base), asSetup(arms[0]!.config)])[0]!.values).toEqual(['on (rate 0.3)', 'off']);
    expect(diffRuns([asSetup(base), asSetup(arms[2]!.config)])[0]!.values).toEqual(['sgd (learningRate 0.05)', 'momentum (learningRate 0.01)']);
    expect(arms[1]!.config.tricks.batchNorm).toEqual({ momentum: 0.99, epsilon: 0.001 });
    expect(arms[2]!.config.tricks.sgd).toBeUndefined();
    expect(arms[4]!.config.tricks.standardize).toBeUndefined();
    expect(arms[4]!.config.tricks.scaleUnit).toEqual({});
    expect(base.tricks.sgd).toEqual({ learningRate: 0.05 });
  });

  it('returns configs that parse unchanged', () => {
    for (const arm of planAblation(base, ['l2', 'clipNorm', 'adam'])) {
      const again = parseTrainingConfig(JSON.parse(JSON.stringify(arm.config)));
      expect(again).toEqual({ ok: true, value: arm.config });
    }
  });

  it('refuses, naming the trick: unknown ids, the base optimizer, duplicates and invalid results', () => {
    expect(() => planAblation(base, ['dropot'])).toThrow('`dropot` is not a known trick');
    expect(() => planAblation(base, ['sgd'])).toThrow("`sgd` is already the base's optimizer");
    expect(() => planAblation(config({ tricks: { nesterov: true } }), ['nesterov'])).toThrow("`nesterov` is already the base's optimizer");
    expect(() => planAblation(base, ['l2', 'l2'])).toThrow('`l2` is listed twice');
    // weightAveraging's default lastEpochs (5) exceeds the base's 4 epochs.
    expect(() => planAblation(base, ['weightAveraging'])).toThrow(
      '`weightAveraging`: weightAveraging on would leave the config invalid: tricks.weightAveraging.lastEpochs must be at most epochs (4) (got 5)',
    );
    expect(() => planAblation({ ...base, epochs: 0 }, ['l2'])).toThrow('the base config is invalid: epochs must be an integer in [1, 10000]');
  });

  it('plans nothing for no tricks', () => {
    expect(planAblation(base, [])).toEqual([]);
  });
});

describe('planSeeds', () => {
  it('repeats the base with consecutive seeds, nothing else changed', () => {
    const runs = planSeeds(base, 3);
    expect(runs.map((c) => c.seed)).toEqual([11, 12, 13]);
    for (const run of runs) expect({ ...run, seed: 11 }).toEqual(base);
    expect(diffRuns(runs.map(asSetup))).toEqual([{ field: 'seed', values: ['11', '12', '13'] }]);
    expect(planSeeds(base, 1)).toEqual([base]);
  });

  it('wraps within the seed range and refuses a bad count', () => {
    expect(planSeeds({ ...base, seed: 2 ** 31 - 2 }, 3).map((c) => c.seed)).toEqual([2 ** 31 - 2, 2 ** 31 - 1, 0]);
    expect(() => planSeeds(base, 0)).toThrow('the number of seeds must be an integer >= 1 (got 0)');
    expect(() => planSeeds(base, 1.5)).toThrow('(got 1.5)');
  });
});
