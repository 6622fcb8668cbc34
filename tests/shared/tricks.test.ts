import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyTrickAssignments,
  defaultParams,
  describeRange,
  expandSpec,
  inferModel,
  parseTrainingConfig,
  TRICK_CHOICES,
  TRICK_GROUPS,
  TRICKS,
  type ModelSpec,
  type TrainingConfig,
} from '../../shared/index.js';

const base = { epochs: 10, batchSize: 32, seed: 7 };

describe('trick registry', () => {
  it('lists every trick from the note, one file each, with unique ids', () => {
    const ids = TRICKS.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [
      'scaleUnit', 'scaleSymmetric', 'standardize',
      'initUniform', 'initNormal', 'initLecun', 'initGlorotNormal', 'initGlorotUniform', 'initHe',
      'batchNorm', 'dropout', 'earlyStopping', 'l2', 'l1', 'weightDecay', 'ensemble', 'weightAveraging',
      'sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam',
      'clipNorm', 'clipValue', 'lrExponential', 'lrStep', 'lrCosine', 'lrWarmup',
    ]) {
      expect(ids).toContain(id);
    }
    const files = readdirSync(new URL('../../shared/tricks/defs/', import.meta.url));
    expect(files.length).toBe(TRICKS.length);
    const registry = readFileSync(new URL('../../shared/tricks/registry.ts', import.meta.url), 'utf8');
    for (const file of files) expect(registry).toContain(`./defs/${file.replace(/\.ts$/, '.js')}`);
  });

  it('gives every trick a group, a two-sentence summary and defaults inside their own ranges', () => {
    for (const trick of TRICKS) {
      expect(TRICK_GROUPS).toContain(trick.group);
      if (trick.choice) expect(TRICK_CHOICES).toContain(trick.choice);
      expect(trick.summary.split(/(?<=\.)\s+/).length, trick.id).toBe(2);
      const parsed = parseTrainingConfig({ ...base, tricks: { [trick.id]: {} } });
      expect(parsed.ok, `${trick.id}: ${JSON.stringify(parsed)}`).toBe(true);
      if (parsed.ok) expect(parsed.value.tricks[trick.id]).toEqual(defaultParams(trick));
    }
  });

  it('describes ranges the way errors and tooltips show them', () => {
    const adam = TRICKS.find((t) => t.id === 'adam')!;
    expect(describeRange(adam.params.learningRate!)).toBe('in (0, 10]');
    expect(describeRange(adam.params.beta1!)).toBe('in [0, 1)');
  });
});

describe('training config', () => {
  it('fills defaults, adds Adam when no optimizer is named, and round-trips through JSON', () => {
    const parsed = parseTrainingConfig({ ...base, tricks: { dropout: { rate: 0.2 }, clipNorm: true } });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.tricks).toEqual({
      dropout: { rate: 0.2 },
      clipNorm: { maxNorm: 1 },
      adam: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    });
    const again = parseTrainingConfig(JSON.parse(JSON.stringify(parsed.value)));
    expect(again).toEqual(parsed);
  });

  it.each([
    [{ ...base, tricks: { adam: { learningRate: -1 } } }, 'tricks.adam.learningRate must be in (0, 10] (got -1)'],
    [{ ...base, tricks: { adam: { lr: 0.1 } } }, 'tricks.adam.lr is not a parameter of adam (parameters: learningRate, beta1, beta2, epsilon)'],
    [{ ...base, tricks: { adamw: {} } }, 'tricks.adamw is not a known trick'],
    [{ ...base, tricks: { sgd: {}, adam: {} } }, 'tricks turns on sgd and adam, but they are alternative optimizers: keep one'],
    [{ ...base, tricks: { initHe: {}, initNormal: {} } }, 'alternative initialisations'],
    [{ ...base, tricks: { dropout: { rate: 1 } } }, 'tricks.dropout.rate must be in [0, 1) (got 1)'],
    [{ ...base, tricks: { earlyStopping: { patience: 2.5 } } }, 'tricks.earlyStopping.patience must be an integer in [1, 1000] (got 2.5)'],
    [{ ...base, tricks: { earlyStopping: { restoreBest: 'yes' } } }, 'tricks.earlyStopping.restoreBest must be one of always, whenStopped, never (got "yes")'],
    [{ ...base, tricks: { weightAveraging: { lastEpochs: 11 } } }, 'tricks.weightAveraging.lastEpochs must be at most epochs (10) (got 11)'],
    [{ ...base, tricks: { lrWarmup: { epochs: 10 } } }, 'tricks.lrWarmup.epochs must be less than epochs (10) (got 10)'],
    [{ ...base, epochs: 0 }, 'epochs must be an integer in [1, 10000] (got 0)'],
    [{ ...base, batchSize: 'big' }, 'batchSize must be an integer in [1, 65536] (got "big")'],
    [{ ...base, tricks: { dropout: 0.5 } }, 'tricks.dropout must be an object of parameters or true (got 0.5)'],
  ])('refuses %j', (input, expected) => {
    const parsed = parseTrainingConfig(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.message).join('\n')).toContain(expected);
  });

  it('applies --trick assignments: params, on/off, and one optimizer replacing another', () => {
    const start = parseTrainingConfig({ ...base, tricks: { adam: {} } });
    if (!start.ok) throw new Error('bad start');
    const next = applyTrickAssignments(start.value, ['sgd.learningRate=0.1', 'dropout', 'earlyStopping.restoreBest=false']);
    expect(next.ok).toBe(true);
    if (!next.ok) return;
    expect(Object.keys(next.value.tricks).sort()).toEqual(['dropout', 'earlyStopping', 'sgd']);
    expect(next.value.tricks.sgd).toEqual({ learningRate: 0.1 });
    // A boolean (what configs stored before restoreBest was a choice) reads as the rule it stood for.
    expect(next.value.tricks.earlyStopping!.restoreBest).toBe('never');
    const off = applyTrickAssignments(next.value, ['dropout=off']);
    expect(off.ok && Object.keys(off.value.tricks).sort()).toEqual(['earlyStopping', 'sgd']);
    const bad = applyTrickAssignments(start.value, ['sgd.learningRate=-3']);
    expect(!bad.ok && bad.errors[0]!.message).toBe('tricks.sgd.learningRate must be in (0, 10] (got -3)');
    const unknown = applyTrickAssignments(start.value, ['warp=on']);
    expect(!unknown.ok && unknown.errors[0]!.message).toBe('trick must be trickId, trickId=on|off or trickId.param=value (got "warp=on")');
  });
});

describe('structural tricks expand the spec', () => {
  const spec: ModelSpec = {
    version: 1,
    name: 'mlp',
    loss: 'categoricalCrossentropy',
    layers: [
      { type: 'input', shape: [4] },
      { type: 'dense', units: 8, activation: 'relu' },
      { type: 'dense', units: 8, activation: 'tanh', initializer: 'glorotUniform', regularizer: { l1: 0.5 } },
      { type: 'dense', units: 3, activation: 'softmax' },
    ],
  };
  const config = (tricks: Record<string, unknown>): TrainingConfig => {
    const parsed = parseTrainingConfig({ ...base, tricks });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return parsed.value;
  };

  it('inserts batch norm before each hidden activation and dropout after each hidden dense, never after the output', () => {
    const expanded = expandSpec(spec, config({ batchNorm: {}, dropout: { rate: 0.25 } }));
    expect(expanded.layers.map((l) => l.type)).toEqual([
      'input', 'dense', 'batchNorm', 'activation', 'dropout', 'dense', 'batchNorm', 'activation', 'dropout', 'dense',
    ]);
    expect(expanded.layers[1]).toMatchObject({ type: 'dense', activation: 'linear' });
    expect(expanded.layers[3]).toEqual({ type: 'activation', activation: 'relu' });
    expect(expanded.layers[2]).toEqual({ type: 'batchNorm', momentum: 0.99, epsilon: 0.001 });
    expect(inferModel(expanded).totalParams).toBe(inferModel(spec).totalParams + 4 * 8 * 2);
  });

  it('sets init and L1/L2 on layers that do not choose their own', () => {
    const expanded = expandSpec(spec, config({ initHe: {}, l2: { lambda: 0.01 } }));
    expect(expanded.layers[1]).toMatchObject({ initializer: 'heNormal', regularizer: { l2: 0.01 } });
    expect(expanded.layers[2]).toMatchObject({ initializer: 'glorotUniform', regularizer: { l1: 0.5 } });
    expect(expandSpec(spec, config({}))).toEqual(spec);
  });
});
