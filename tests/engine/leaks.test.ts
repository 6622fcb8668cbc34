// No tensor leaks: tf.memory().numTensors is flat across epochs, and a finished run leaves nothing behind.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { train } from '../../core/engine/train.js';
import { parseTrainingConfig, type ModelSpec } from '../../shared/index.js';

const spec: ModelSpec = {
  version: 1,
  name: 'leak check',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [2] },
    { type: 'dense', units: 16, activation: 'relu' },
    { type: 'dense', units: 3, activation: 'softmax' },
  ],
};

const everyTrick = {
  standardize: {},
  batchNorm: {},
  dropout: { rate: 0.1 },
  clipNorm: { maxNorm: 1 },
  clipValue: { clipValue: 1 },
  weightDecay: { rate: 0.01 },
  l2: { lambda: 0.001 },
  lrWarmup: { epochs: 1 },
  lrStep: { stepSize: 2 },
  ensemble: { members: 2 },
  weightAveraging: { lastEpochs: 2 },
  earlyStopping: { patience: 10 },
};

// Adam (the default) with every other loop trick, and our own RMSProp with all its state.
describe.each([
  ['cpu', 'adam', {}],
  ['wasm', 'adam', {}],
  ['cpu', 'rmsprop', { rmsprop: { momentum: 0.9, centered: true } }],
] as const)('on %s with %s', (backendName, _optimizer, optimizer) => {
  it('numTensors is flat across epochs with every trick on, and back to its start after the run', async () => {
    const backend = await initBackend(backendName);
    const parsed = parseTrainingConfig({ epochs: 5, batchSize: 32, seed: 3, tricks: { ...everyTrick, ...optimizer } });
    if (!parsed.ok) throw new Error('config');
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    let checkpoints = 0;
    const summary = await train({
      spec,
      dataset: { kind: 'synthetic', name: 'spiral', samples: 400, classes: 3, noise: 0.05 },
      config: parsed.value,
      backend,
      // Checkpoints too: every trick's state is saved after each epoch, as the trainer process does.
      events: { onEpoch: () => counts.push(tf.memory().numTensors), onCheckpoint: () => checkpoints++ },
    });
    expect(summary.status).toBe('completed');
    expect(checkpoints).toBe(5);
    // Weight averaging adds its running means in the last k = 2 epochs; otherwise nothing may grow.
    expect(new Set(counts.slice(0, 3)).size, `counts ${counts}`).toBe(1);
    expect(new Set(counts.slice(3)).size, `counts ${counts}`).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
