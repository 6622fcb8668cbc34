// One name per run (shared/analysis/run-names.ts): named against the run it was made from — a group's base, a
// lesson's first run, else the project's previous run — with what differs, and layers of the model that trains
// mapped back to the editor's cards (expandedOrigins).
import { describe, expect, it } from 'vitest';
import { differenceText, parentsOf, runDifference, type RunSetup } from '../../shared/analysis/index.js';
import { expandedOrigins, expandSpec, parseTrainingConfig, type ModelSpec, type TrainingConfig } from '../../shared/index.js';

const cfg = (tricks: Record<string, unknown> = {}, seed = 1): TrainingConfig => {
  const parsed = parseTrainingConfig({ epochs: 2, batchSize: 64, seed, tricks });
  if (!parsed.ok) throw new Error(parsed.errors[0]!.message);
  return parsed.value;
};
const spec: ModelSpec = {
  version: 1,
  name: 'cnn',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [28, 28, 1] },
    { type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'conv2d', filters: 16, kernelSize: 3, activation: 'relu' },
    { type: 'flatten' },
    { type: 'dense', units: 64, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
} as ModelSpec;
const setup = (config: TrainingConfig, s: ModelSpec = spec): RunSetup => ({ spec: s, config, dataset: { kind: 'mnist' } });

describe('parentsOf', () => {
  it('names an ablation arm and a seed repeat against their base, a lesson arm against its first run, others against the previous run', () => {
    const runs = [1, 2, 3, 4, 5, 6, 7, 8].map((id) => ({ id, number: id }));
    const parents = parentsOf(runs, [
      { id: 1, kind: 'ablation', baseRunId: 2, runIds: [2, 3, 4] },
      { id: 2, kind: 'seeds', baseRunId: 2, runIds: [2, 5, 6] },
      { id: 3, kind: 'lesson', baseRunId: null, runIds: [7, 8] },
      { id: 4, kind: 'manual', baseRunId: null, runIds: [8, 1] },
    ]);
    expect(Object.fromEntries(parents)).toEqual({ 1: null, 2: 1, 3: 2, 4: 2, 5: 2, 6: 2, 7: 6, 8: 7 });
  });
});

describe('differenceText', () => {
  it('reads the differing fields as a name does, with the rest counted', () => {
    expect(differenceText(runDifference(setup(cfg({ dropout: { rate: 0.5 } })), setup(cfg())))).toBe('dropout off');
    expect(differenceText(runDifference(setup(cfg()), setup(cfg({}, 4))))).toBe('seed 4');
    expect(differenceText(runDifference(setup(cfg()), setup(cfg({ sgd: { learningRate: 0.1 } }))))).toBe('optimizer sgd (learningRate 0.1)');
    const wider = { ...spec, layers: spec.layers.map((l, i) => (i === 5 ? { ...l, units: 128 } : l)) } as ModelSpec;
    expect(differenceText(runDifference(setup(cfg()), setup(cfg({ dropout: {} }, 3), wider)))).toBe('seed 3, dropout on (rate 0.5) (+1 more)');
    expect(differenceText(runDifference(setup(cfg()), setup(cfg(), wider)))).toBe('layers[5].units 128');
    expect(differenceText(runDifference(setup(cfg()), setup(cfg())))).toBe('');
  });
});

describe('expandedOrigins', () => {
  it('maps the trained model’s layers back to the editor’s cards when batch norm and dropout insert layers', () => {
    const config = cfg({ batchNorm: {}, dropout: { rate: 0.2 } });
    const expanded = expandSpec(spec, config);
    const origins = expandedOrigins(spec, config);
    expect(origins.size).toBe(expanded.layers.length);
    const at = (path: string) => origins.get(path);
    expect(at('layers[0]')).toEqual({ path: 'layers[0]' });
    expect(at('layers[1]')).toEqual({ path: 'layers[1]' });
    expect(at('layers[2]')).toEqual({ path: 'layers[1]', inserted: 'batchNorm' });
    expect(at('layers[3]')).toEqual({ path: 'layers[1]', inserted: 'activation' });
    // The last dense (the output) gets neither batch norm nor dropout.
    const last = `layers[${expanded.layers.length - 1}]`;
    expect(at(last)).toEqual({ path: 'layers[6]' });
    for (const [path, origin] of origins) {
      const i = Number(/\[(\d+)\]$/.exec(path)![1]);
      if (!origin.inserted) expect(expanded.layers[i]!.type).toBe(spec.layers[Number(/\[(\d+)\]$/.exec(origin.path)![1])]!.type);
      else expect(expanded.layers[i]!.type).toBe(origin.inserted);
    }
  });

  it('follows nested stacks and branches', () => {
    const block: ModelSpec = {
      ...spec,
      layers: [
        spec.layers[0]!,
        { type: 'residual', layers: [{ type: 'conv2d', filters: 1, kernelSize: 3, padding: 'same', activation: 'relu' }] },
        { type: 'inception', branches: [[{ type: 'conv2d', filters: 2, kernelSize: 1, activation: 'relu' }], [{ type: 'conv2d', filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }]] },
        { type: 'flatten' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    } as ModelSpec;
    const origins = expandedOrigins(block, cfg({ batchNorm: {} }));
    expect(origins.get('layers[1].layers[0]')).toEqual({ path: 'layers[1].layers[0]' });
    expect(origins.get('layers[1].layers[1]')).toEqual({ path: 'layers[1].layers[0]', inserted: 'batchNorm' });
    expect(origins.get('layers[2].branches[1][0]')).toEqual({ path: 'layers[2].branches[1][0]' });
    expect(origins.get('layers[2].branches[1][1]')).toEqual({ path: 'layers[2].branches[1][0]', inserted: 'batchNorm' });
  });
});
