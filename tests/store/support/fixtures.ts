// Fixtures shared by the store tests and their child processes (so: no vitest here).
import type { Store } from '../../../core/store/index.js';
import type { DatasetRef, ModelSpec, TrainingConfig } from '../../../shared/index.js';

/** Metric points per batch in metrics-writer.ts, and how often it saves a checkpoint. */
export const BATCH = 500;
export const CHECKPOINT_EVERY = 3;

/** A fixed copy of the spiral-mlp preset, so that the presets can change without changing these tests. */
export const spiral: { model: ModelSpec; dataset: DatasetRef; training: TrainingConfig } = {
  dataset: { kind: 'synthetic', name: 'spiral', samples: 1500, classes: 3, noise: 0.05 },
  model: {
    version: 1,
    name: 'Spiral MLP',
    loss: 'categoricalCrossentropy',
    layers: [
      { type: 'input', shape: [2] },
      { type: 'dense', units: 64, activation: 'relu' },
      { type: 'dense', units: 64, activation: 'relu' },
      { type: 'dense', units: 3, activation: 'softmax' },
    ],
  },
  training: { epochs: 60, batchSize: 32, seed: 1, tricks: { standardize: {}, adam: { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } } },
};

/** A second, different spec (one more hidden layer). */
export function widerSpec(): ModelSpec {
  const spec = structuredClone(spiral.model);
  spec.layers.splice(2, 0, { type: 'dense', units: 32, activation: 'relu' });
  return spec;
}

export function config(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return { ...structuredClone(spiral.training), ...overrides };
}

/** A project with one model version and one dataset, ready for runs. */
export function seedProject(store: Store, name = 'Spirals') {
  const project = store.createProject({ name });
  const version = store.saveModelVersion(project.id, spiral.model);
  const dataset = store.saveDataset(project.id, { source: spiral.dataset, split: { train: 0.8, validation: 0.1, test: 0.1, seed: 1 } });
  const newRun = (extra: Partial<Parameters<Store['createRun']>[0]> = {}) =>
    store.createRun({ projectId: project.id, modelVersionId: version.id, datasetId: dataset.id, config: config(), backend: 'wasm', device: '2 CPU cores', presetId: 'spiral-mlp', ...extra });
  return { project, version, dataset, newRun };
}

export function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

