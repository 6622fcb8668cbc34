// The public surface of shared/: pure TypeScript used by the engine, the store, the host and the UI.
export * from './layers/index.js';
export * from './limits/index.js';
export * from './spec/model-spec.js';
export * from './spec/errors.js';
export * from './spec/schema.js';
export * from './spec/inference.js';
export * from './tricks/descriptor.js';
export * from './tricks/registry.js';
export * from './tricks/config.js';
export * from './tricks/expand.js';
export * from './data/dataset-ref.js';
export * from './data/known-datasets.js';
export * from './presets/preset.js';
export * from './spec/describe.js';
export * from './protocol/training.js';
export * from './protocol/trainer.js';
export * from './runs/index.js';
