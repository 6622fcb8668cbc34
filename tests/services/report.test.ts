// A finished run's test report and a checkpoint's export, through the API after a real (short) MNIST run
// in a trainer process: the first `trainSamples` digits of the training split, one epoch.
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../core/engine/data/dataset.js';
import { loadMnist } from '../../core/engine/data/mnist.js';
import { ApiError, MAX_MISCLASSIFIED, type LayerwiseApi, type Run } from '../../shared/api/contract.js';
import { MAX_MISCLASSIFIED_SAMPLES, type DatasetRef, type ModelSpec } from '../../shared/index.js';
import { openSourceServices, until, type SourceServices } from './support.js';
import { HANG_MS } from '../support/patience.js';

const smallMnist: DatasetRef = { kind: 'mnist', trainSamples: 300 };
const spec: ModelSpec = {
  version: 1,
  name: 'MNIST MLP small',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [28, 28, 1] },
    { type: 'flatten' },
    { type: 'dense', units: 16, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

let test: SourceServices;
let api: LayerwiseApi;
let run: Run;

beforeAll(async () => {
  test = openSourceServices();
  api = test.services.api;
  const project = await api.projects.create({ name: 'Report' });
  const started = await api.runs.start({
    projectId: project.id,
    spec,
    dataset: smallMnist,
    config: { epochs: 1, batchSize: 50, seed: 5, tricks: { scaleUnit: {}, adam: { learningRate: 0.003 } } },
    backend: 'wasm',
  });
  expect(await api.runs.report({ id: started.id })).toBeNull();
  run = await until(
    'the MNIST run to finish',
    async () => {
      const r = await api.runs.get({ id: started.id });
      return ['completed', 'failed', 'diverged'].includes(r.status) ? r : undefined;
    },
    HANG_MS,
    200,
  );
  expect(run.error).toBeNull();
  expect(run.status).toBe('completed');
});

afterAll(async () => {
  await test?.close();
});

describe('trainSamples', () => {
  it('trains on the first N digits of the fixed training split; validation and test are whole', () => {
    const full = loadMnist();
    const small = loadDataset({ kind: 'mnist', trainSamples: 300 });
    expect(small.train.count).toBe(300);
    expect(small.train.x).toEqual(full.train.x.subarray(0, 300 * 784));
    expect(small.train.y).toEqual(full.train.y.subarray(0, 300 * 10));
    expect(small.validation).toBe(full.validation);
    expect(small.test).toBe(full.test);
    expect(loadDataset({ kind: 'mnist' })).toBe(full);
    expect(() => loadDataset({ kind: 'mnist', trainSamples: 9000 })).toThrow('trainSamples must be an integer in [1, 8000] (got 9000)');
  });

  it('records its own dataset: split and fingerprint differ from the whole split', async () => {
    const datasets = await api.datasets.list({ projectId: run.projectId });
    expect(datasets).toHaveLength(1);
    expect(datasets[0]).toMatchObject({ source: smallMnist, split: { train: 300, validation: 1000, test: 1000 } });
    const whole = test.store.saveDataset(run.projectId, { source: { kind: 'mnist' }, split: { train: 8000, validation: 1000, test: 1000, seed: 'fixed' } });
    expect(whole.created).toBe(true);
    expect(whole.fingerprint).not.toBe(datasets[0]!.fingerprint);
    const preview = await api.datasets.preview({ source: smallMnist, count: 0 });
    expect(preview.counts).toEqual({ train: 300, validation: 1000, test: 1000 });
  });
});

describe('runs.report', () => {
  it('has the 10×10 confusion of the 1,000 test digits and the first misclassified ones, with their raw pixels', async () => {
    expect(MAX_MISCLASSIFIED).toBe(MAX_MISCLASSIFIED_SAMPLES);
    const report = (await api.runs.report({ id: run.id }))!;
    expect(report).toMatchObject({ runId: run.id, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], inputShape: [28, 28, 1], weights: 'last', bestEpoch: 0 });
    expect(report.parameters).toBe(784 * 16 + 16 + 16 * 10 + 10);
    const confusion = report.confusion!;
    expect(confusion).toHaveLength(10);
    expect(confusion.every((row) => row.length === 10)).toBe(true);
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(1000);
    const correct = confusion.reduce((n, row, i) => n + row[i]!, 0);
    expect(report.misclassifiedCount).toBe(1000 - correct);
    expect(run.finalMetrics!.testAccuracy).toBeCloseTo(correct / 1000, 6);
    expect(report.misclassifiedCount).toBeGreaterThan(0);
    expect(report.misclassified).toHaveLength(Math.min(MAX_MISCLASSIFIED, report.misclassifiedCount));

    const preview = await api.datasets.preview({ source: smallMnist, split: 'test', count: 200 });
    const indices = report.misclassified.map((m) => m.index);
    expect(indices).toEqual([...indices].sort((a, b) => a - b));
    for (const m of report.misclassified) {
      expect(m.predicted).not.toBe(m.label);
      expect(m.features).toHaveLength(784);
      expect(m.features.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
      expect(Math.max(...m.features)).toBeGreaterThan(1);
      expect(m.confidence).toBeGreaterThan(0.1 - 1e-6);
      expect(m.confidence).toBeLessThanOrEqual(1);
      if (m.index < preview.samples.length) {
        expect(m.label).toBe(preview.samples[m.index]!.label);
        expect(m.features).toEqual(preview.samples[m.index]!.features);
      }
    }
  });

  it('refuses an unknown run, naming the field', async () => {
    const error = await api.runs.report({ id: 99999 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'not_found', message: 'runs.report: id is not a run (run 99999 does not exist)' });
  });
});

describe('checkpoints.export', () => {
  it('zips a verified TF.js model and a verified ONNX model', async () => {
    const [checkpoint] = await api.checkpoints.list({ runId: run.id });
    const tfjs = await api.checkpoints.export({ checkpointId: checkpoint!.id, format: 'tfjs' });
    expect(tfjs).toMatchObject({ format: 'tfjs', files: ['model.json', 'weights.bin'], fileName: `mnist-mlp-small-run${run.id}-epoch1-tfjs.zip` });
    expect(tfjs.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    const tfjsZip = unzipSync(Buffer.from(tfjs.data, 'base64'));
    expect(tfjs.size).toBe(Buffer.from(tfjs.data, 'base64').byteLength);
    expect(Object.keys(tfjsZip).sort()).toEqual(['model.json', 'weights.bin']);
    const modelJson = JSON.parse(strFromU8(tfjsZip['model.json']!)) as { format: string; weightsManifest: { weights: unknown[] }[] };
    expect(modelJson.format).toBe('layers-model');
    expect(tfjsZip['weights.bin']!.byteLength).toBe((784 * 16 + 16 + 16 * 10 + 10) * 4);

    const onnx = await api.checkpoints.export({ checkpointId: checkpoint!.id, format: 'onnx' });
    expect(onnx).toMatchObject({ format: 'onnx', files: ['model.onnx'], fileName: `mnist-mlp-small-run${run.id}-epoch1-onnx.zip` });
    expect(onnx.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    const onnxZip = unzipSync(Buffer.from(onnx.data, 'base64'));
    expect(Object.keys(onnxZip)).toEqual(['model.onnx']);
    expect(onnxZip['model.onnx']!.byteLength).toBeGreaterThan(784 * 16 * 4);
  });

  it('refuses an unknown checkpoint and an unknown format, naming the field', async () => {
    await expect(api.checkpoints.export({ checkpointId: 424242, format: 'onnx' })).rejects.toMatchObject({
      code: 'not_found',
      message: 'checkpoints.export: checkpointId is not a checkpoint (checkpoint 424242 does not exist)',
    });
    await expect(api.checkpoints.export({ checkpointId: 1, format: 'pytorch' as 'onnx' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'checkpoints.export: format must be tfjs or onnx (got "pytorch")',
    });
  });
});
