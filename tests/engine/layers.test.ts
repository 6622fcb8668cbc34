// The engine's layer registry: a builder for every descriptor, an owner with an ONNX form and an import rule
// for every tfjs class the builders create, and the limits checked before training builds anything. The
// memory estimate is held against tfjs's own peak, measured.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { buildModel } from '../../core/engine/build-model.js';
import { builderFor, holdsKernel, importableClasses, tfjsClass } from '../../core/engine/layers/registry.js';
import { PARITY_CASES } from '../../core/engine/parity/cases.js';
import { train, TrainError } from '../../core/engine/train.js';
import type { Dataset } from '../../core/engine/data/dataset.js';
import { loadPresets } from '../../core/presets/load.js';
import { estimateTraining, expandSpec, inferModel, LAYER_TYPES, parseTrainingConfig, type ModelSpec, type TrainingConfig } from '../../shared/index.js';

const CPU = { name: 'cpu', device: 'test' } as const;

beforeAll(async () => {
  await initBackend('cpu');
});

function config(batchSize: number, tricks: Record<string, unknown> = {}, epochs = 1): TrainingConfig {
  const r = parseTrainingConfig({ epochs, batchSize, seed: 3, tricks });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

/** Every spec the studio and the parity suite build, as they train. */
function everySpec(): ModelSpec[] {
  const presets = loadPresets().map((p) => expandSpec(p.model, p.training));
  const cases = PARITY_CASES.map((c) => (c.tricks ? expandSpec(c.spec, config(8, c.tricks)) : c.spec));
  return [...presets, ...cases];
}

describe('the engine layer registry', () => {
  it('has a builder for every layer type', () => {
    for (const type of LAYER_TYPES) expect(builderFor(type)?.type).toBe(type);
  });

  it('owns every tfjs class the builders create, each with an ONNX form and an import rule', () => {
    const seen = new Map<string, boolean>();
    for (const spec of everySpec()) {
      const model = buildModel(spec, { seed: 1 });
      for (const layer of model.layers) {
        const name = layer.getClassName();
        if (name === 'InputLayer') continue;
        const owned = tfjsClass(name);
        expect(owned, `${name} in ${spec.name}`).toBeDefined();
        expect(typeof owned!.rules.onnx === 'function' || 'refuse' in owned!.rules.onnx).toBe(true);
        expect(owned!.rules.import, name).toBeDefined();
        seen.set(name, holdsKernel(layer));
      }
      model.dispose();
    }
    // Kernels are probed for per-layer statistics: exactly the classes of weighted layer types.
    expect([...seen.entries()].filter(([, kernel]) => kernel).map(([name]) => name).sort()).toEqual(
      ['Conv1D', 'Conv2D', 'Dense', 'DepthwiseConv2D', 'GRU', 'LSTM', 'MultiHeadSelfAttention', 'SeparableConv2D'].sort(),
    );
    expect([...seen.keys()].sort()).toEqual(
      [
        ...['Activation', 'Add', 'AveragePooling2D', 'BatchNormalization', 'Concatenate', 'Conv2D', 'Dense', 'Dropout', 'ELU', 'Flatten', 'GlobalAveragePooling2D', 'LeakyReLU', 'MaxPooling2D'],
        ...['Conv1D', 'DepthwiseConv2D', 'Embedding', 'GRU', 'GlobalAveragePooling1D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'LSTM', 'LayerNormalization'],
        ...['LearnedPositionEmbedding', 'MaxPooling1D', 'MultiHeadSelfAttention', 'Reshape', 'SeparableConv2D', 'UpSampling2D'],
      ].sort(),
    );
  });

  it('lists what an import accepts in the words the import errors always used', () => {
    expect(importableClasses()).toBe(
      'Dense, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Dropout, BatchNormalization, Activation, ReLU, LeakyReLU, ELU, Add (residual), Concatenate (inception), ' +
        'Reshape, Conv1D, DepthwiseConv2D, SeparableConv2D, UpSampling2D, MaxPooling1D, GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalMaxPooling2D, Embedding, LearnedPositionEmbedding, LSTM, GRU, MultiHeadSelfAttention and LayerNormalization',
    );
  });
});

/** Random rows of a shape, one-hot labels cycling through the classes. */
function randomDataset(inputShape: number[], classes: number, rows: { train: number; validation: number }): Dataset {
  const features = inputShape.reduce((a, b) => a * b, 1);
  let s = 1;
  const split = (n: number) => {
    const x = new Float32Array(n * features).map(() => ((s = (s * 16807) % 2147483647) / 2147483647));
    const y = new Float32Array(n * classes);
    for (let i = 0; i < n; i++) y[i * classes + (i % classes)] = 1;
    return { x, y, count: n };
  };
  return { name: 'random', inputShape, numClasses: classes, classNames: Array.from({ length: classes }, (_, i) => `c${i}`), train: split(rows.train), validation: split(rows.validation), test: split(16) };
}

describe('limits before training', () => {
  it('refuses a model that cannot fit in memory before building it, with the numbers', async () => {
    const spec: ModelSpec = {
      version: 1,
      name: 'too big',
      loss: 'categoricalCrossentropy',
      layers: [
        { type: 'input', shape: [256, 256, 3] },
        { type: 'conv2d', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'globalAvgPool2d' },
        { type: 'dense', units: 2, activation: 'softmax' },
      ],
    };
    const before = tf.memory().numTensors;
    const error = await train({ spec, dataset: randomDataset([256, 256, 3], 2, { train: 4, validation: 4 }), config: config(8), backend: CPU }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainError);
    expect((error as TrainError).code).toBe('invalid_spec');
    expect((error as Error).message).toMatch(/^the model needs ~21 GB of memory to train, more than the 3 GB allowed: 21 GB for the activations of 256 samples/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    ['an MLP', [28, 28, 1], [{ type: 'flatten' }, { type: 'dense', units: 256, activation: 'relu' }, { type: 'dense', units: 10, activation: 'softmax' }], 64],
    [
      'a small CNN with batch norm',
      [16, 16, 1],
      [
        { type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'batchNorm' },
        { type: 'maxPool2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
      320,
    ],
  ] as const)('estimates at or above what tfjs holds at its peak while training %s', async (_name, input, hidden, batch) => {
    const spec = { version: 1, name: 'measured', loss: 'categoricalCrossentropy', layers: [{ type: 'input', shape: [...input] }, ...hidden] } as ModelSpec;
    const cfg = config(batch);
    const dataset = randomDataset([...input], 10, { train: 2 * batch, validation: 256 });
    const profile = await tf.profile(async () => {
      await train({ spec, dataset, config: cfg, backend: CPU });
      return [] as tf.Tensor[];
    });
    const estimate = estimateTraining(inferModel(expandSpec(spec, cfg)), cfg).totalBytes;
    expect(estimate).toBeGreaterThanOrEqual(profile.peakBytes);
    // An estimate, not a bound pulled from the air: within a few times the measured peak.
    expect(estimate).toBeLessThan(4 * profile.peakBytes);
  }, 120_000);
});
