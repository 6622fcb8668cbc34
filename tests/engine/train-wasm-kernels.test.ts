// The engine's own wasm kernels inside real training runs (core/engine/train.ts on wasm): a CNN with batch norm (the
// fused kernels), dropout and dense layers (our matrix product) is bit-identical run after run and across a resume
// from a checkpoint, and holds the same number of tensors after every epoch.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { BATCH_NORM_GRAD, BATCH_NORM_TRAIN } from '../../core/engine/kernels/batch-norm.js';
import { train } from '../../core/engine/train.js';
import { parseTrainingConfig, type CheckpointPayload, type EpochReport, type ModelSpec } from '../../shared/index.js';
import { countingKernels } from './support/kernels.js';

const spec: ModelSpec = {
  version: 1,
  name: 'bn cnn',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [28, 28, 1] },
    { type: 'conv2d', filters: 8, kernelSize: 3, useBias: false },
    { type: 'batchNorm' },
    { type: 'activation', activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 16, activation: 'relu' },
    { type: 'dropout', rate: 0.3 },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

const parsed = parseTrainingConfig({ epochs: 3, batchSize: 32, seed: 11, tricks: { scaleUnit: {}, batchNorm: {}, adam: { learningRate: 0.005 } } });
if (!parsed.ok) throw new Error('config');
const config = parsed.value;

let backend: { name: 'wasm'; device: string };

beforeAll(async () => {
  backend = { name: 'wasm', device: (await initBackend('wasm')).device };
});

async function run(resumeFrom?: CheckpointPayload, withCheckpoints = true) {
  const epochs: EpochReport[] = [];
  const checkpoints: CheckpointPayload[] = [];
  const tensors: number[] = [];
  const summary = await train({
    spec,
    dataset: { kind: 'mnist', trainSamples: 192 },
    config,
    backend,
    ...(resumeFrom ? { resumeFrom } : {}),
    events: {
      onEpoch: (r) => {
        epochs.push(r);
        tensors.push(tf.memory().numTensors);
      },
      ...(withCheckpoints ? { onCheckpoint: (c: CheckpointPayload) => checkpoints.push(c) } : {}),
    },
  });
  return { summary, epochs, checkpoints, tensors };
}

const numbers = (reports: EpochReport[]) =>
  reports.map(({ metrics: { seconds: _s, samplesPerSecond: _p, ...rest }, layers, steps }) => ({ ...rest, layers, steps }));

describe('training on wasm with the engine\'s fused kernels', () => {
  it('is bit-identical run after run and across a resume, with the tensor count flat across epochs', async () => {
    const { result: a, calls } = await countingKernels([BATCH_NORM_TRAIN, BATCH_NORM_GRAD], () => run());
    // 6 batches × 3 epochs, plus the dense layers' hidden batch norm (the trick adds one after dense 16).
    expect(calls[BATCH_NORM_TRAIN]).toBeGreaterThanOrEqual(18);
    expect(calls[BATCH_NORM_GRAD]).toBe(calls[BATCH_NORM_TRAIN]);
    const b = await run();
    expect(numbers(b.epochs)).toEqual(numbers(a.epochs));
    expect(b.summary.final).toEqual(a.summary.final);
    const resumed = await run(a.checkpoints[0]!);
    expect(numbers(resumed.epochs)).toEqual(numbers(a.epochs.slice(1)));
    expect(resumed.summary.final).toEqual(a.summary.final);
    // Without checkpoints: train.ts's makeCheckpoint keeps the scalar tfjs's optimizer.getWeights() makes for its
    // iteration count (one tensor per checkpoint, on every backend; reported, not the kernels').
    const plain = await run(undefined, false);
    expect(new Set(plain.tensors).size, `counts ${plain.tensors}`).toBe(1);
    expect(numbers(plain.epochs)).toEqual(numbers(a.epochs));
    expect(a.epochs.at(-1)!.metrics.loss).toBeLessThan(a.epochs[0]!.metrics.loss);
  }, 180_000);
});
