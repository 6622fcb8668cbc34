import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, tf } from '../../core/engine/build-model.js';
import { loadPresets } from '../../core/presets/load.js';
import { expandSpec, inferModel, parseTrainingConfig, PRESET_IDS, type ModelSpec } from '../../shared/index.js';
import { LAYER_CASES } from '../support/new-layer-specs.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the shared inference agrees with TensorFlow.js', () => {
  const presets = loadPresets();

  it('bundles the presets the studio offers', () => {
    expect(presets.map((p) => p.id).sort()).toEqual([...PRESET_IDS].sort());
    expect(PRESET_IDS).toEqual(expect.arrayContaining(['fashion-cnn', 'pattern-lstm', 'sine-transformer', 'mnist-cnn', 'spiral-mlp']));
  });

  it.each(presets.map((p) => [p.id, p] as const))('%s: total params and output shape match tfjs', (_id, preset) => {
    const spec = expandSpec(preset.model, preset.training);
    const info = inferModel(spec);
    expect(info.errors).toEqual([]);
    const model = buildModel(spec, { seed: 1 });
    try {
      expect(model.countParams()).toBe(info.totalParams);
      const trainable = model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
      expect(trainable).toBe(info.trainableParams);
      expect(model.outputs[0]!.shape.slice(1)).toEqual(info.outputShape);
    } finally {
      model.dispose();
    }
  });

  it('matches tfjs with every structural trick on (batch norm, dropout, init, L2) and a projected residual', () => {
    const spec: ModelSpec = {
      version: 1,
      name: 'all tricks',
      loss: 'categoricalCrossentropy',
      layers: [
        { type: 'input', shape: [12, 12, 3] },
        { type: 'conv2d', filters: 6, kernelSize: 3, activation: 'leakyRelu' },
        { type: 'residual', activation: 'relu', layers: [{ type: 'conv2d', filters: 9, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' }] },
        { type: 'flatten' },
        { type: 'residual', layers: [{ type: 'dense', units: 7 }] },
        { type: 'dense', units: 4, activation: 'softmax' },
      ],
    };
    const config = parseTrainingConfig({ epochs: 2, batchSize: 8, seed: 3, tricks: { batchNorm: {}, dropout: {}, initHe: {}, l2: {} } });
    if (!config.ok) throw new Error('config');
    const expanded = expandSpec(spec, config.value);
    const info = inferModel(expanded);
    expect(info.errors).toEqual([]);
    const model = buildModel(expanded, { seed: 3 });
    try {
      expect(model.countParams()).toBe(info.totalParams);
      expect(model.outputs[0]!.shape).toEqual([null, 4]);
      const y = model.predict(tf.zeros([2, 12, 12, 3])) as tf.Tensor;
      expect(y.shape).toEqual([2, 4]);
      y.dispose();
    } finally {
      model.dispose();
    }
  });

  // Every layer type of issue 20, on tokens, series and images: counts (total and trainable) and shapes as tfjs's.
  it.each(LAYER_CASES.map((c) => [c.name, c] as const))('new layers: %s', (_name, c) => {
    const info = inferModel(c.spec);
    expect(info.errors).toEqual([]);
    const model = buildModel(c.spec, { seed: 2 });
    try {
      expect(model.countParams()).toBe(info.totalParams);
      const trainable = model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
      expect(trainable).toBe(info.trainableParams);
      expect(model.outputs[0]!.shape.slice(1)).toEqual(info.outputShape);
    } finally {
      model.dispose();
    }
  });

  it('starts a recurrent kernel orthogonal (seeded), the input kernel as the initialiser says', async () => {
    const spec: ModelSpec = {
      version: 1,
      name: 'lstm',
      loss: 'meanSquaredError',
      layers: [{ type: 'input', shape: [5, 3] }, { type: 'lstm', units: 6 }],
    };
    const a = buildModel(spec, { seed: 4 });
    const b = buildModel(spec, { seed: 4 });
    try {
      const recurrent = (m: typeof a) => m.layers[1]!.weights.find((w) => w.originalName.endsWith('recurrent_kernel'))!.read();
      const r = recurrent(a);
      expect(r.shape).toEqual([6, 24]);
      // Orthonormal rows: R·Rᵀ = I.
      const gram = await tf.matMul(r, r, false, true).data();
      gram.forEach((v, i) => expect(v).toBeCloseTo(Math.floor(i / 6) === i % 6 ? 1 : 0, 5));
      expect(Array.from(await r.data())).toEqual(Array.from(await recurrent(b).data()));
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('builds the same initial weights from the same seed, and different ones from another', async () => {
    const spec = presets.find((p) => p.id === 'spiral-mlp')!.model;
    const a = buildModel(spec, { seed: 5 });
    const b = buildModel(spec, { seed: 5 });
    const c = buildModel(spec, { seed: 6 });
    const first = async (m: typeof a) => Array.from(await m.getWeights()[0]!.data());
    expect(await first(a)).toEqual(await first(b));
    expect(await first(a)).not.toEqual(await first(c));
    [a, b, c].forEach((m) => m.dispose());
  });
});
