// Every preset trained briefly (1 epoch on a small MNIST subset or the 2-D set) and exported to TF.js and
// ONNX, each export reloaded (tfjs / onnxruntime-node) and checked against the trained model; plus an
// ensemble as one ONNX graph, every layer type and activation, and a wrong file that must fail verification.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { loadDataset, takeRows, type Dataset } from '../../core/engine/data/dataset.js';
import { train } from '../../core/engine/train.js';
import { ExportError, exportModel, MAX_ABS_DIFF, type ExportSource } from '../../core/export/export.js';
import { loadPresets } from '../../core/presets/load.js';
import { needsImport, parseTrainingConfig, type CheckpointPayload, type DatasetRef, type ModelSpec, type TrainingConfig } from '../../shared/index.js';

const dir = mkdtempSync(join(tmpdir(), 'layerwise-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('wasm');
});

const cache = new Map<string, Dataset>();
/** A small slice of the data: enough for one quick epoch and a probe batch. */
export function small(ref: DatasetRef, train = 256, held = 64): Dataset {
  const key = JSON.stringify(ref);
  const hit = cache.get(key);
  if (hit) return hit;
  const full = loadDataset(ref);
  const f = full.inputShape.reduce((a, b) => a * b, 1);
  const k = full.numClasses;
  const cut = (s: Dataset['train'], n: number) => takeRows(s.x, s.y, f, k, Array.from({ length: Math.min(n, s.count) }, (_, i) => i));
  const data = { ...full, train: cut(full.train, train), validation: cut(full.validation, held), test: cut(full.test, held) };
  cache.set(key, data);
  return data;
}

function config(tricks: Record<string, unknown>, batchSize = 64): TrainingConfig {
  const parsed = parseTrainingConfig({ epochs: 1, batchSize, seed: 3, tricks });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return parsed.value;
}

async function trained(spec: ModelSpec, dataset: Dataset, cfg: TrainingConfig): Promise<ExportSource> {
  let last: CheckpointPayload | undefined;
  const summary = await train({ spec, dataset, config: cfg, backend: { name: 'wasm', device: 'test' }, events: { onCheckpoint: (c) => (last = c) } });
  expect(['completed', 'stopped']).toContain(summary.status);
  if (!last) throw new Error('training wrote no checkpoint');
  return { spec, config: cfg, manifest: last.manifest, weights: last.weights, dataset };
}

let counter = 0;
const outPath = (ext: string) => join(dir, `model-${++counter}${ext}`);

describe('each preset, exported to TF.js and ONNX and verified', () => {
  for (const preset of loadPresets()) {
    it(preset.id, async () => {
      // A preset that trains on a dataset the user imports (Fashion-MNIST) is exported here from MNIST digits: the
      // export needs only inputs of its model's shape.
      const data = needsImport(preset.dataset) ? ({ kind: 'mnist' } as const) : preset.dataset;
      const source = await trained(preset.model, small(data), config(preset.training.tricks as Record<string, unknown>));
      for (const format of ['tfjs', 'onnx'] as const) {
        const out = outPath(format === 'onnx' ? '.onnx' : '');
        const result = await exportModel(source, { format, out });
        expect(result.samples).toBe(64);
        expect(result.maxAbsDiff).toBeLessThanOrEqual(MAX_ABS_DIFF);
        expect(existsSync(out)).toBe(true);
        if (format === 'tfjs') expect(readdirSync(out).sort()).toEqual(['model.json', 'weights.bin']);
        console.log(`${preset.id} ${format}: max abs diff ${result.maxAbsDiff.toExponential(2)}`);
      }
    });
  }
});

const spiral: DatasetRef = { kind: 'synthetic', name: 'spiral', samples: 300, classes: 3, noise: 0.05 };

describe('layer coverage, ensembles and failures', () => {
  it('exports an ensemble as one ONNX graph averaging its members, and refuses it as TF.js', async () => {
    const spec = loadPresets().find((p) => p.id === 'spiral-mlp')!.model;
    const source = await trained(spec, small(spiral), config({ standardize: {}, ensemble: { members: 3 } }));
    const result = await exportModel(source, { format: 'onnx', out: outPath('.onnx') });
    expect(result.members).toBe(3);
    expect(result.maxAbsDiff).toBeLessThanOrEqual(MAX_ABS_DIFF);
    const out = outPath('');
    await expect(exportModel(source, { format: 'tfjs', out })).rejects.toThrow(/ensemble of 3 members .* export it as ONNX/);
    expect(existsSync(out)).toBe(false);
  });

  it('exports every layer type and activation (same-padded pools, BN on features, leakyRelu, elu, tanh, sigmoid, dense projection)', async () => {
    const image: ModelSpec = {
      version: 1,
      name: 'every layer',
      loss: 'categoricalCrossentropy',
      layers: [
        { type: 'input', shape: [28, 28, 1] },
        { type: 'conv2d', filters: 4, kernelSize: [3, 5], strides: [2, 1], padding: 'same', activation: 'leakyRelu' },
        { type: 'batchNorm' },
        { type: 'avgPool2d', poolSize: 3, strides: 2, padding: 'same' },
        { type: 'activation', activation: 'elu' },
        { type: 'residual', activation: 'tanh', layers: [{ type: 'conv2d', filters: 6, kernelSize: 3, padding: 'same', activation: 'sigmoid' }] },
        { type: 'inception', branches: [[{ type: 'maxPool2d', poolSize: 2, strides: 1, padding: 'same' }], [{ type: 'conv2d', filters: 2, kernelSize: 1 }]] },
        { type: 'flatten' },
        { type: 'dropout', rate: 0.3 },
        { type: 'dense', units: 12, activation: 'elu' },
        { type: 'batchNorm' },
        { type: 'residual', layers: [{ type: 'dense', units: 8, activation: 'relu' }] },
        { type: 'activation', activation: 'leakyRelu', alpha: 0.1 },
        { type: 'dense', units: 10 },
        { type: 'activation', activation: 'softmax' },
      ],
    };
    const source = await trained(image, small({ kind: 'mnist' }, 128), config({ scaleSymmetric: {} }));
    for (const format of ['tfjs', 'onnx'] as const) {
      const result = await exportModel(source, { format, out: outPath(format === 'onnx' ? '.onnx' : '') });
      expect(result.maxAbsDiff).toBeLessThanOrEqual(MAX_ABS_DIFF);
    }
  });

  it('exports a sigmoid output with probabilities, not the logits it trained on', async () => {
    const spec: ModelSpec = {
      version: 1,
      name: 'binary',
      loss: 'binaryCrossentropy',
      layers: [{ type: 'input', shape: [2] }, { type: 'dense', units: 8, activation: 'tanh' }, { type: 'dense', units: 2, activation: 'sigmoid' }],
    };
    const xor: DatasetRef = { kind: 'synthetic', name: 'xor', samples: 200, classes: 2, noise: 0 };
    const source = await trained(spec, small(xor), config({}));
    const out = outPath('.onnx');
    const result = await exportModel(source, { format: 'onnx', out });
    expect(result.maxAbsDiff).toBeLessThanOrEqual(MAX_ABS_DIFF);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(out);
    const probe = source.dataset.validation;
    const y = (await session.run({ input: new ort.Tensor('float32', probe.x.slice(0, 20), [10, 2]) })).output!.data as Float32Array;
    expect(Math.min(...y)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...y)).toBeLessThanOrEqual(1);
    await session.release();
  });

  it('fails loudly and leaves no file when the written model differs from the trained one', async () => {
    const spec = loadPresets().find((p) => p.id === 'spiral-mlp')!.model;
    const source = await trained(spec, small(spiral), config({ standardize: {} }));
    const before = readdirSync(dir).length;
    for (const format of ['tfjs', 'onnx'] as const) {
      const out = outPath(format === 'onnx' ? '.onnx' : '');
      const error = await exportModel(source, { format, out, corruptForTest: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExportError);
      expect((error as ExportError).code).toBe('verification_failed');
      expect((error as Error).message).toMatch(/differs from the trained one by up to .* on 30 samples; nothing was written/);
      expect(existsSync(out)).toBe(false);
    }
    expect(readdirSync(dir).length).toBe(before);
    const out = outPath('.onnx');
    await exportModel(source, { format: 'onnx', out });
    await expect(exportModel(source, { format: 'onnx', out })).rejects.toThrow(/already exists/);
  });
});

it('exports batch norm in its inference form: moving statistics far from 0 and 1', async () => {
  const { packTensors } = await import('../../core/engine/tensor-codec.js');
  const { buildModel } = await import('../../core/engine/build-model.js');
  const tf = await import('@tensorflow/tfjs-core');
  const spec: ModelSpec = {
    version: 1,
    name: 'bn',
    loss: 'categoricalCrossentropy',
    layers: [
      { type: 'input', shape: [28, 28, 1] },
      { type: 'conv2d', filters: 3, kernelSize: 3 },
      { type: 'batchNorm', epsilon: 0.01 },
      { type: 'globalAvgPool2d' },
      { type: 'dense', units: 5 },
      { type: 'batchNorm' },
      { type: 'dense', units: 10, activation: 'softmax' },
    ],
  };
  const cfg = config({ scaleUnit: {} });
  const model = buildModel(spec, { seed: 2 });
  // Gamma, beta, moving mean and variance all set to values a real training run could reach.
  const weights = model.getWeights().map((w, i) =>
    w.shape.length === 1 && !model.weights[i]!.originalName.endsWith('bias')
      ? tf.randomUniform(w.shape, 0.3, 2.5, 'float32', 10 + i)
      : w,
  );
  const named = weights.map((tensor, i) => ({ name: `m0/w${i}`, tensor }));
  const packed = await packTensors(named);
  const manifest = { format: 1 as const, epoch: 0, kind: 'last' as const, state: {}, tensors: packed.entries, optimizerTensors: [] };
  const source = { spec, config: cfg, manifest, weights: packed.bytes, dataset: small({ kind: 'mnist' }, 128) };
  for (const format of ['tfjs', 'onnx'] as const) {
    const result = await exportModel(source, { format, out: outPath(format === 'onnx' ? '.onnx' : '') });
    expect(result.maxAbsDiff).toBeLessThanOrEqual(MAX_ABS_DIFF);
  }
});
