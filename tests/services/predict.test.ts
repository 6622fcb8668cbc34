// Try the model (`runs.predict`), through the API after real short runs in trainer processes: a checkpoint answers
// raw inputs exactly as the trained model did in its own test evaluation (same weights, same input scaling), and a
// 2-D run's decision boundary from the host matches the one the trainer sent with its last epoch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, MAX_PREDICT_ROWS, type LayerwiseApi, type Run, type RunEpochEvent } from '../../shared/api/contract.js';
import type { DatasetRef, ModelSpec } from '../../shared/index.js';
import { HANG_MS } from '../support/patience.js';
import { openSourceServices, until, type SourceServices } from './support.js';

const mnistMlp: ModelSpec = {
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
const planar: ModelSpec = {
  version: 1,
  name: 'Blobs MLP',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [2] },
    { type: 'dense', units: 16, activation: 'relu' },
    { type: 'dense', units: 3, activation: 'softmax' },
  ],
};
const blobs: DatasetRef = { kind: 'synthetic', name: 'blobs', samples: 300, classes: 3, noise: 0.1 };

let test: SourceServices;
let api: LayerwiseApi;
let digits: Run;
let points: Run;
const epochs: RunEpochEvent[] = [];

async function finished(id: number): Promise<Run> {
  await until(`run ${id} to finish`, async () => ['completed', 'failed'].includes((await api.runs.get({ id })).status));
  return api.runs.get({ id });
}

beforeAll(async () => {
  test = openSourceServices();
  api = test.services.api;
  test.services.events.on('onRunEpoch', (e) => epochs.push(e));
  const project = await api.projects.create({ name: 'Try' });
  const a = await api.runs.start({
    projectId: project.id,
    spec: mnistMlp,
    dataset: { kind: 'mnist', trainSamples: 300 },
    // Unit scaling: the host must divide the raw 0–255 pixels exactly as training did.
    config: { epochs: 1, batchSize: 50, seed: 5, tricks: { scaleUnit: {}, adam: { learningRate: 0.003 } } },
    backend: 'wasm',
  });
  const b = await api.runs.start({
    projectId: project.id,
    spec: planar,
    dataset: blobs,
    config: { epochs: 3, batchSize: 32, seed: 2, tricks: { standardize: {}, adam: { learningRate: 0.03 } } },
    backend: 'wasm',
  });
  digits = await finished(a.id);
  points = await finished(b.id);
  expect(digits.status).toBe('completed');
  expect(points.status).toBe('completed');
}, HANG_MS);

afterAll(async () => {
  await test.close();
});

describe('runs.predict', () => {
  it('answers raw test digits with the probabilities of the run’s own test evaluation', async () => {
    const report = (await api.runs.report({ id: digits.id }))!;
    const samples = report.misclassified.slice(0, 5);
    expect(samples.length).toBeGreaterThan(0);
    const result = await api.runs.predict({ runId: digits.id, rows: samples.map((s) => s.features) });
    expect(result.checkpoint.epoch).toBe(0);
    expect(result.inputScaling).toBe('scaleUnit');
    expect(result.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(result.inputShape).toEqual([28, 28, 1]);
    samples.forEach((s, i) => {
      expect(result.predicted[i]).toBe(s.predicted);
      // The trainer evaluated on wasm, the host answers on cpu: the same numbers to float precision.
      expect(result.outputs[i]![s.predicted]!).toBeCloseTo(s.confidence, 4);
      expect(result.outputs[i]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    });
    // A second call reuses the rebuilt model and gives the same answer.
    const again = await api.runs.predict({ runId: digits.id, checkpoint: 'last', rows: [samples[0]!.features] });
    expect(again.outputs[0]).toEqual(result.outputs[0]);
  });

  it('refuses rows of the wrong length, too many rows, and a run without a checkpoint, naming what is wrong', async () => {
    const short = await api.runs.predict({ runId: digits.id, rows: [[1, 2, 3]] }).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(ApiError);
    expect((short as ApiError).code).toBe('invalid_input');
    expect((short as ApiError).message).toContain('rows[0] must hold 784 values');
    const many = await api.runs.predict({ runId: digits.id, rows: Array.from({ length: MAX_PREDICT_ROWS + 1 }, () => [0]) }).catch((e: unknown) => e);
    expect((many as ApiError).message).toContain(`at most ${MAX_PREDICT_ROWS} rows`);
    const none = await api.runs.predict({ runId: digits.id }).catch((e: unknown) => e);
    expect((none as ApiError).message).toContain('give rows to predict, or boundary: true');
    const queued = await api.runs.start({ projectId: digits.projectId, spec: planar, dataset: blobs, config: { epochs: 1, batchSize: 32, seed: 1 }, backend: 'wasm' });
    await api.runs.stop({ id: queued.id });
    const noCheckpoint = await api.runs.predict({ runId: queued.id, rows: [[0, 0]] }).catch((e: unknown) => e);
    expect((noCheckpoint as ApiError).code).toBe('conflict');
    expect((noCheckpoint as ApiError).message).toContain('has no checkpoint yet');
    const missing = await api.runs.predict({ runId: 9999, rows: [[0, 0]] }).catch((e: unknown) => e);
    expect((missing as ApiError).code).toBe('not_found');
  });

  it('draws a 2-D run’s decision boundary from its checkpoint as the trainer did at that epoch, and refuses it for images', async () => {
    const result = await api.runs.predict({ runId: points.id, checkpoint: 'last', boundary: true, rows: [[0.7, 0]] });
    expect(result.inputScaling).toBe('standardize');
    const last = epochs.filter((e) => e.runId === points.id).at(-1)!.report;
    expect(result.checkpoint.epoch).toBe(last.epoch);
    const b = result.boundary!;
    expect(b.size).toBe(last.boundary!.size);
    expect(b.extent).toEqual(last.boundary!.extent);
    const worst = b.probs.reduce((m, p, i) => Math.max(m, Math.abs(p - last.boundary!.probs[i]!)), 0);
    expect(worst).toBeLessThanOrEqual(0.002);
    expect(result.outputs[0]).toHaveLength(3);
    const images = await api.runs.predict({ runId: digits.id, boundary: true }).catch((e: unknown) => e);
    expect((images as ApiError).message).toContain('boundary is only for a classification set of two input features');
  });
});
