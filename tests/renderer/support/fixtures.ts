// Runs, series and reports as the API hands them, for the renderer tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkpoint, MetricSeries, RunListItem, RunReport } from '../../../shared/api/index.js';
import type { ModelSpec, TrainingConfig } from '../../../shared/index.js';

export const MLP_SPEC = (JSON.parse(readFileSync(join(import.meta.dirname, '../../../resources/presets/mnist-mlp.json'), 'utf8')) as { model: ModelSpec }).model;

export function config(tricks: TrainingConfig['tricks'] = {}, seed = 1): TrainingConfig {
  return { epochs: 2, batchSize: 64, seed, tricks: { adam: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, ...tricks } } as TrainingConfig;
}

export function run(id: number, overrides: Partial<RunListItem> = {}): RunListItem {
  const cfg = overrides.config ?? config();
  return {
    id,
    number: id,
    projectId: 1,
    modelVersionId: 10,
    datasetId: 20,
    name: null,
    presetId: null,
    config: cfg,
    seed: cfg.seed,
    backend: 'wasm',
    device: 'cpu (wasm, SIMD)',
    status: 'completed',
    error: null,
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:10Z',
    finalMetrics: { loss: 0.3, accuracy: 0.9, valLoss: 0.35, valAccuracy: 0.88, testLoss: 0.36, testAccuracy: 0.87 },
    modelName: 'MNIST MLP',
    datasetName: 'MNIST',
    ...overrides,
  };
}

/** An epoch series with values by epoch (0-based). */
export function series(name: string, values: (number | null)[]): MetricSeries {
  return { name, epochs: values.map((_, i) => i), steps: values.map(() => null), values };
}

export function report(runId: number, overrides: Partial<RunReport> = {}): RunReport {
  const digit = (v: number) => Array.from({ length: 784 }, (_, i) => (i % 29 === 0 ? v : 0));
  return {
    runId,
    classNames: ['0', '1', '2'],
    inputShape: [28, 28, 1],
    confusion: [
      [9, 1, 0],
      [0, 8, 2],
      [1, 0, 9],
    ],
    misclassified: [
      { index: 4, label: 0, predicted: 1, confidence: 0.7, features: digit(255) },
      { index: 9, label: 1, predicted: 2, confidence: 0.6, features: digit(200) },
    ],
    misclassifiedCount: 4,
    bestEpoch: 1,
    weights: 'best',
    parameters: 101_770,
    ...overrides,
  };
}

export function checkpoint(id: number, runId: number, epoch: number, kind: Checkpoint['kind']): Checkpoint {
  return { id, runId, epoch, kind, manifest: null, weights: { size: 400_000, sha256: 'a' }, optimizer: { size: 800_000, sha256: 'b' }, size: 1_200_000, createdAt: '2026-01-01T00:00:00Z' };
}
