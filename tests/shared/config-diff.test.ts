import { describe, expect, it } from 'vitest';
import { diffRuns, type RunSetup } from '../../shared/analysis/index.js';
import { parseTrainingConfig, type ModelSpec, type TrainingConfig } from '../../shared/index.js';

function config(raw: Record<string, unknown>): TrainingConfig {
  const parsed = parseTrainingConfig({ epochs: 5, batchSize: 64, seed: 1, ...raw });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  return parsed.value;
}

const mlp: ModelSpec = {
  version: 1,
  name: 'MLP',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [28, 28, 1] },
    { type: 'flatten' },
    { type: 'dense', units: 128, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

const setup = (over: Partial<RunSetup> = {}): RunSetup => ({
  spec: mlp,
  config: config({ tricks: { scaleUnit: true } }),
  dataset: { kind: 'mnist' },
  ...over,
});

describe('diffRuns', () => {
  it('finds nothing between identical setups, or with fewer than two', () => {
    expect(diffRuns([setup(), setup()])).toEqual([]);
    expect(diffRuns([setup()])).toEqual([]);
    expect(diffRuns([])).toEqual([]);
  });

  it('gives exactly one row `dropout` for runs differing only in the dropout rate', () => {
    const a = setup({ config: config({ tricks: { dropout: { rate: 0.2 } } }) });
    const b = setup({ config: config({ tricks: { dropout: { rate: 0.5 } } }) });
    expect(diffRuns([a, b])).toEqual([{ field: 'dropout', values: ['on (rate 0.2)', 'on (rate 0.5)'] }]);
  });

  it('gives exactly one row `dropout` for dropout off against on', () => {
    const a = setup({ config: config({ tricks: {} }) });
    const b = setup({ config: config({ tricks: { dropout: true } }) });
    const c = setup({ config: config({ tricks: { dropout: { rate: 0.2 } } }) });
    expect(diffRuns([a, b, c])).toEqual([{ field: 'dropout', values: ['off', 'on (rate 0.5)', 'on (rate 0.2)'] }]);
  });

  it('shows a trick with several parameters once, listing those that differ or are not defaults', () => {
    const a = setup({ config: config({ tricks: { earlyStopping: { patience: 3 } } }) });
    const b = setup({ config: config({ tricks: { earlyStopping: { patience: 3, restoreBest: 'whenStopped' } } }) });
    expect(diffRuns([a, b])).toEqual([
      { field: 'earlyStopping', values: ['on (patience 3, restoreBest always)', 'on (patience 3, restoreBest whenStopped)'] },
    ]);
  });

  it('gives one row `optimizer` when the optimizer or its parameters differ', () => {
    const adam = setup({ config: config({ tricks: {} }) });
    const sgd = setup({ config: config({ tricks: { sgd: { learningRate: 0.1 } } }) });
    const momentum = setup({ config: config({ tricks: { momentum: true } }) });
    expect(diffRuns([adam, sgd, momentum])).toEqual([
      { field: 'optimizer', values: ['adam (learningRate 0.001)', 'sgd (learningRate 0.1)', 'momentum (learningRate 0.01)'] },
    ]);
    const fast = setup({ config: config({ tricks: { adam: { learningRate: 0.01, beta2: 0.99 } } }) });
    expect(diffRuns([adam, fast])).toEqual([
      { field: 'optimizer', values: ['adam (learningRate 0.001, beta2 0.999)', 'adam (learningRate 0.01, beta2 0.99)'] },
    ]);
  });

  it('names other choices by their group, with `none` where a run has none', () => {
    const a = setup({ config: config({ tricks: { initHe: true } }) });
    const b = setup({ config: config({ tricks: { initNormal: true } }) });
    const c = setup({ config: config({ tricks: {} }) });
    expect(diffRuns([a, b, c])).toEqual([{ field: 'init', values: ['initHe', 'initNormal', 'none'] }]);
    const d = setup({ config: config({ tricks: { lrExponential: { gamma: 0.98 } } }) });
    expect(diffRuns([c, d])).toEqual([{ field: 'lrSchedule', values: ['none', 'lrExponential (gamma 0.98)'] }]);
  });

  it('diffs the seed, epochs and batch size, in that order before the tricks', () => {
    const a = setup({ config: config({ seed: 1, tricks: {} }) });
    const b = setup({ config: config({ seed: 2, epochs: 7, batchSize: 32, tricks: { clipNorm: true } }) });
    expect(diffRuns([a, b])).toEqual([
      { field: 'epochs', values: ['5', '7'] },
      { field: 'batchSize', values: ['64', '32'] },
      { field: 'seed', values: ['1', '2'] },
      { field: 'clipNorm', values: ['off', 'on (maxNorm 1)'] },
    ]);
    expect(diffRuns([a, setup({ config: config({ seed: 3, tricks: {} }) })])).toEqual([{ field: 'seed', values: ['1', '3'] }]);
  });

  it('diffs a trick id the registry does not know by its raw parameters', () => {
    const a = setup();
    const b = setup({ config: { ...setup().config, tricks: { ...setup().config.tricks, mixup: { alpha: 0.2 } } as TrainingConfig['tricks'] } });
    expect(diffRuns([a, b])).toEqual([{ field: 'mixup', values: ['off', 'on {"alpha":0.2}'] }]);
  });

  it('diffs the backend only when every run names one', () => {
    expect(diffRuns([setup({ backend: 'wasm' }), setup({ backend: 'cpu' })])).toEqual([{ field: 'backend', values: ['wasm', 'cpu'] }]);
    expect(diffRuns([setup({ backend: 'wasm' }), setup()])).toEqual([]);
  });

  it('names the dataset', () => {
    expect(diffRuns([setup(), setup({ dataset: { kind: 'mnist', trainSamples: 500 } })])).toEqual([
      { field: 'dataset', values: ['MNIST', 'MNIST (first 500 training digits)'] },
    ]);
  });

  it('diffs the model by path: changed fields, layers added or replaced', () => {
    const wider: ModelSpec = { ...mlp, layers: mlp.layers.map((l, i) => (i === 2 ? { ...l, units: 256 } : l)) };
    expect(diffRuns([setup(), setup({ spec: wider })])).toEqual([{ field: 'model.layers[2].units', values: ['128', '256'] }]);

    const deeper: ModelSpec = {
      ...mlp,
      layers: [...mlp.layers.slice(0, 3), { type: 'dense', units: 64, activation: 'tanh' }, mlp.layers[3]!],
    };
    expect(diffRuns([setup(), setup({ spec: deeper })])).toEqual([
      { field: 'model.layers[3]', values: ['—', 'dense 64 tanh'] },
    ]);

    const dropped: ModelSpec = { ...mlp, name: 'MLP 2', layers: [...mlp.layers.slice(0, 3), { type: 'dropout', rate: 0.5 }, mlp.layers[3]!] };
    expect(diffRuns([setup({ spec: dropped }), setup()])).toEqual([
      { field: 'model.name', values: ['MLP 2', 'MLP'] },
      { field: 'model.layers[3]', values: ['dropout 0.5', '—'] },
    ]);
  });

  it('lines up layers across three runs and compares paired layers field by field', () => {
    const hidden = (units: number) => ({ type: 'dense' as const, units, activation: 'relu' as const });
    const spec = (...mid: ModelSpec['layers']): ModelSpec => ({ ...mlp, layers: [mlp.layers[0]!, { type: 'flatten' }, ...mid, mlp.layers[3]!] });
    const rows = diffRuns([
      setup({ spec: spec(hidden(128)) }),
      setup({ spec: spec(hidden(128), hidden(64)) }),
      setup({ spec: spec(hidden(32)) }),
    ]);
    expect(rows).toEqual([
      { field: 'model.layers[2].units', values: ['128', '128', '32'] },
      { field: 'model.layers[3]', values: ['—', 'dense 64 relu', '—'] },
    ]);
  });

  it('reaches into residual blocks and treats an absent optional field as —', () => {
    const block = (units: number, activation?: 'relu'): ModelSpec => ({
      ...mlp,
      layers: [
        mlp.layers[0]!,
        { type: 'flatten' },
        { type: 'dense', units: 64, activation: 'relu' },
        { type: 'residual', ...(activation ? { activation } : {}), layers: [{ type: 'dense', units, activation: 'relu' }, { type: 'dense', units: 64 }] },
        mlp.layers[3]!,
      ],
    });
    expect(diffRuns([setup({ spec: block(64) }), setup({ spec: block(32, 'relu') })])).toEqual([
      { field: 'model.layers[3].layers[0].units', values: ['64', '32'] },
      { field: 'model.layers[3].activation', values: ['—', 'relu'] },
    ]);
  });

  it('orders rows: run settings, tricks in registry order, data, model', () => {
    const a = setup({ config: config({ seed: 4, tricks: { dropout: true, sgd: true } }) });
    const b = setup({ config: config({ seed: 5, tricks: { batchNorm: true } }), dataset: { kind: 'mnist', trainSamples: 1000 }, spec: { ...mlp, name: 'B' } });
    expect(diffRuns([a, b]).map((r) => r.field)).toEqual(['seed', 'batchNorm', 'dropout', 'optimizer', 'dataset', 'model.name']);
  });
});
