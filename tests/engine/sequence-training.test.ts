// Sequence models train (issue 20): the bundled sequence presets learn well above chance from a few hundred
// sequences in a few epochs (tiny versions of the presets; the full ones are measured in the report), and
// recurrent, attention and transformer layers leave no tensors behind across epochs.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { train } from '../../core/engine/train.js';
import { loadPresets } from '../../core/presets/load.js';
import { parseTrainingConfig, type ModelSpec, type SequenceRef } from '../../shared/index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('the sequence presets, small', () => {
  // Test accuracy after training on fewer sequences: chance is 1/2 for the pattern set and 1/4 for the sine set.
  it.each([
    ['pattern-lstm', 1200, 8, 0.8],
    ['sine-transformer', 800, 8, 0.6],
  ] as const)('%s learns on %i sequences in %i epochs (test accuracy above %f)', async (id, samples, epochs, floor) => {
    const preset = loadPresets().find((p) => p.id === id)!;
    const dataset = { ...(preset.dataset as SequenceRef), samples };
    const config = parseTrainingConfig({ ...preset.training, epochs });
    if (!config.ok) throw new Error('config');
    const summary = await train({ spec: preset.model, dataset, config: config.value, backend: { name: 'wasm', device: 'test' } });
    expect(summary.status).toBe('completed');
    console.log(`${id}: test accuracy ${summary.final!.testAccuracy.toFixed(3)} on ${samples} sequences after ${epochs} epochs`);
    expect(summary.final!.testAccuracy).toBeGreaterThan(floor);
  });
});

describe('no tensor leaks with the sequence layers', () => {
  const spec: ModelSpec = {
    version: 1,
    name: 'leak check (sequences)',
    loss: 'categoricalCrossentropy',
    layers: [
      { type: 'input', shape: [12] },
      { type: 'embedding', inputDim: 8, outputDim: 6 },
      { type: 'positionEmbedding' },
      { type: 'conv1d', filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'lstm', units: 6, returnSequences: true },
      { type: 'transformerEncoder', numHeads: 2, keyDim: 3, dropout: 0.1, feedForward: [{ type: 'dense', units: 8, activation: 'relu' }] },
      { type: 'gru', units: 5, returnSequences: true },
      { type: 'multiHeadAttention', numHeads: 1, keyDim: 4 },
      { type: 'layerNorm' },
      { type: 'globalMaxPool1d' },
      { type: 'dense', units: 2, activation: 'softmax' },
    ],
  };
  it.each(['wasm', 'cpu'] as const)('numTensors is flat across epochs on %s (L2, weight decay, clipping on) and back after the run', async (backendName) => {
    const backend = await initBackend(backendName);
    const config = parseTrainingConfig({ epochs: 4, batchSize: 16, seed: 2, tricks: { l2: { lambda: 1e-3 }, weightDecay: { rate: 0.01 }, clipNorm: { maxNorm: 1 } } });
    if (!config.ok) throw new Error('config');
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const summary = await train({
      spec,
      dataset: { kind: 'sequence', name: 'pattern', samples: 120, length: 12, classes: 2, noise: 0 },
      config: config.value,
      backend,
      events: { onEpoch: () => counts.push(tf.memory().numTensors) },
    });
    expect(summary.status).toBe('completed');
    expect(new Set(counts).size, `counts ${counts}`).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
