// The training loop's tricks and guarantees, on small real runs (cpu backend unless stated).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { train, type TrainOptions } from '../../core/engine/train.js';
import { unpackTensors } from '../../core/engine/tensor-codec.js';
import { makeSynthetic } from '../../core/engine/data/synthetic.js';
import {
  parseTrainingConfig,
  type CheckpointPayload,
  type EpochReport,
  type LayerSpec,
  type ModelSpec,
  type SyntheticRef,
  type TrainingConfig,
} from '../../shared/index.js';

const CPU = { name: 'cpu', device: 'test' } as const;

beforeAll(async () => {
  await initBackend('cpu');
});

function config(epochs: number, tricks: Record<string, unknown>, batchSize = 32, seed = 7): TrainingConfig {
  const parsed = parseTrainingConfig({ epochs, batchSize, seed, tricks });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return parsed.value;
}

function mlp(classes: number, hidden: LayerSpec[] = [{ type: 'dense', units: 32, activation: 'relu' }]): ModelSpec {
  return {
    version: 1,
    name: 'test mlp',
    loss: 'categoricalCrossentropy',
    layers: [{ type: 'input', shape: [2] }, ...hidden, { type: 'dense', units: classes, activation: 'softmax' }],
  };
}

const spiral: SyntheticRef = { kind: 'synthetic', name: 'spiral', samples: 600, classes: 3, noise: 0.05 };

async function run(options: Omit<TrainOptions, 'backend'> & { backend?: TrainOptions['backend'] }) {
  const epochs: EpochReport[] = [];
  const checkpoints: CheckpointPayload[] = [];
  const summary = await train({
    backend: CPU,
    ...options,
    events: { onEpoch: (r) => epochs.push(r), onCheckpoint: (c) => checkpoints.push(c), ...options.events },
  });
  return { summary, epochs, checkpoints };
}

/** Epoch metrics without the timing fields, for exact comparisons. */
const numbers = (reports: EpochReport[]) =>
  reports.map(({ metrics: { seconds: _s, samplesPerSecond: _p, ...rest }, layers, steps }) => ({ ...rest, layers, steps }));

describe('training loop', () => {
  it('learns and reports per-epoch, per-step and per-layer metrics', async () => {
    const blobs: SyntheticRef = { kind: 'synthetic', name: 'blobs', samples: 600, classes: 3, noise: 0.05 };
    const { summary, epochs } = await run({ spec: mlp(3), dataset: blobs, config: config(12, { standardize: {}, adam: { learningRate: 0.02 } }) });
    expect(summary.status).toBe('completed');
    expect(summary.final!.testAccuracy).toBeGreaterThan(0.9);
    expect(epochs).toHaveLength(12);
    expect(epochs[11]!.metrics.loss).toBeLessThan(epochs[0]!.metrics.loss / 2);
    expect(epochs[0]!.steps[0]).toMatchObject({ step: 0, epoch: 0 });
    expect(epochs[0]!.steps.length).toBe(2); // 15 batches of 32, sampled every 10
    expect(epochs[0]!.layers.map((l) => l.path)).toEqual(['layers[1]', 'layers[2]']);
    for (const layer of epochs[0]!.layers) {
      expect(layer.weightNorm).toBeGreaterThan(0);
      expect(layer.gradNorm).toBeGreaterThan(0);
      expect(layer.activationStd).toBeGreaterThan(0);
    }
    const confusion = summary.confusion!;
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(60);
    expect(confusion.reduce((n, row, i) => n + row[i]!, 0) / 60).toBeCloseTo(summary.final!.testAccuracy, 10);
  });

  // Noisy blobs with few points: the network overfits and the validation loss turns up within a few epochs.
  const noisyBlobs: SyntheticRef = { kind: 'synthetic', name: 'blobs', samples: 200, classes: 3, noise: 1 };
  const overfitting = mlp(3, [
    { type: 'dense', units: 64, activation: 'relu' },
    { type: 'dense', units: 64, activation: 'relu' },
  ]);

  it('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    const { summary, epochs, checkpoints } = await run({
      spec: overfitting,
      dataset: noisyBlobs,
      config: config(40, { adam: { learningRate: 0.05 }, earlyStopping: { patience: 3, minDelta: 0 } }, 16),
    });
    const losses = epochs.map((e) => e.metrics.valLoss);
    const best = losses.indexOf(Math.min(...losses));
    expect(summary.epochs).toBe(best + 4); // stopped exactly `patience` epochs after the best
    expect(summary.epochs).toBeLessThan(40);
    expect(summary.bestEpoch).toBe(best);
    expect(summary.weights).toBe('best');
    // The reported validation loss is that of the restored weights, i.e. the best epoch's.
    expect(summary.final!.valLoss).toBeCloseTo(losses[best]!, 5);
    expect(summary.final!.valLoss).toBeLessThan(losses[losses.length - 1]!);

    // Interrupted after its last checkpoint (during the final evaluation, say), it resumes to the same end.
    const resumed = await run({
      spec: overfitting,
      dataset: noisyBlobs,
      config: config(40, { adam: { learningRate: 0.05 }, earlyStopping: { patience: 3, minDelta: 0 } }, 16),
      resumeFrom: checkpoints[checkpoints.length - 1]!,
    });
    expect(resumed.epochs).toHaveLength(0);
    expect(resumed.summary).toMatchObject({ weights: 'best', bestEpoch: best, epochs: summary.epochs, final: summary.final });
  });

  it('early stopping restores the best weights as `restoreBest` says, and the summary says which weights it reports', async () => {
    // 8 epochs with patience 20: never stops, and the best epoch is not the last.
    const options = (restoreBest: unknown, epochs = 8, patience = 20) => ({
      spec: overfitting,
      dataset: noisyBlobs,
      config: config(epochs, { adam: { learningRate: 0.05 }, earlyStopping: { patience, restoreBest } }, 16),
    });
    const always = await run(options('always'));
    const losses = always.epochs.map((e) => e.metrics.valLoss);
    const best = losses.indexOf(Math.min(...losses));
    expect(always.summary.epochs).toBe(8);
    expect(best).toBeLessThan(7);
    expect(always.summary).toMatchObject({ weights: 'best', bestEpoch: best });
    expect(always.summary.final!.valLoss).toBeCloseTo(losses[best]!, 5);

    // Keras 2's rule: without a stop, the last weights stay, and the summary says so (bestEpoch still names the best).
    const whenStopped = await run(options('whenStopped'));
    expect(numbers(whenStopped.epochs)).toEqual(numbers(always.epochs));
    expect(whenStopped.summary).toMatchObject({ weights: 'last', bestEpoch: best });
    expect(whenStopped.summary.final!.valLoss).toBeCloseTo(losses[7]!, 5);

    // When it does stop, whenStopped restores; never keeps the last weights.
    const stopped = await run(options('whenStopped', 40, 3));
    const stoppedLosses = stopped.epochs.map((e) => e.metrics.valLoss);
    expect(stopped.summary.epochs).toBeLessThan(40);
    expect(stopped.summary.weights).toBe('best');
    expect(stopped.summary.final!.valLoss).toBeCloseTo(Math.min(...stoppedLosses), 5);
    const never = await run(options('never', 40, 3));
    expect(never.summary).toMatchObject({ weights: 'last', epochs: stopped.summary.epochs });
    expect(never.summary.final!.valLoss).toBeCloseTo(stoppedLosses[stoppedLosses.length - 1]!, 5);

    // A config stored when this was a boolean keeps its behaviour: true restored even without a stop.
    expect(config(8, { earlyStopping: { restoreBest: true } }).tricks.earlyStopping!.restoreBest).toBe('always');
    expect(config(8, { earlyStopping: { restoreBest: false } }).tricks.earlyStopping!.restoreBest).toBe('never');
  });

  it('stops within one batch on a NaN/Inf loss with status diverged, the batch, and a hint', async () => {
    const data = makeSynthetic(spiral);
    const huge = { ...data, train: { ...data.train, x: data.train.x.map((v) => v * 3e38) } };
    let batches = 0;
    const { summary, epochs } = await run({
      spec: mlp(3),
      dataset: huge,
      config: config(5, { initNormal: {}, sgd: { learningRate: 1 } }),
      events: { onBatch: () => batches++ },
    });
    expect(summary.status).toBe('diverged');
    expect(summary.divergence).toMatchObject({ epoch: 0, batch: 0 });
    expect(summary.reason).toContain('clipNorm');
    expect(summary.reason).toContain('batch normalisation');
    expect(batches).toBe(0);
    expect(epochs).toHaveLength(0);
  });

  it('is deterministic: same spec, seed and backend give identical metrics, dropout included', async () => {
    const options = {
      spec: mlp(3),
      dataset: spiral,
      config: config(3, { standardize: {}, dropout: { rate: 0.3 }, batchNorm: {}, momentum: { learningRate: 0.05 } }),
    };
    const a = await run(options);
    const b = await run(options);
    expect(numbers(b.epochs)).toEqual(numbers(a.epochs));
    expect(b.summary.final).toEqual(a.summary.final);
    const c = await run({ ...options, config: { ...options.config, seed: 8 } });
    expect(numbers(c.epochs)).not.toEqual(numbers(a.epochs));
  });

  it('is deterministic on wasm too', async () => {
    const backend = await initBackend('wasm');
    try {
      const options = { spec: mlp(3), dataset: spiral, config: config(2, { dropout: { rate: 0.2 } }), backend };
      const a = await run(options);
      const b = await run(options);
      expect(numbers(b.epochs)).toEqual(numbers(a.epochs));
    } finally {
      await initBackend('cpu');
    }
  });

  it('resuming from a checkpoint continues exactly as the uninterrupted run', async () => {
    const options = {
      spec: mlp(3),
      dataset: spiral,
      config: config(4, { standardize: {}, dropout: { rate: 0.2 }, batchNorm: {}, adam: { learningRate: 0.01 }, lrCosine: {}, earlyStopping: { patience: 5 } }),
    };
    const whole = await run(options);
    const resumed = await run({ ...options, resumeFrom: whole.checkpoints[1]! });
    expect(whole.checkpoints.map((c) => c.manifest.epoch)).toEqual([0, 1, 2, 3]);
    expect(numbers(resumed.epochs)).toEqual(numbers(whole.epochs.slice(2)));
    expect(resumed.summary.final).toEqual(whole.summary.final);
  });

  it('ensembles report their averaged predictions as their own metrics', async () => {
    const { summary, epochs } = await run({ spec: mlp(3), dataset: spiral, config: config(3, { standardize: {}, ensemble: { members: 3 } }) });
    for (const e of epochs) {
      expect(e.metrics.ensembleValAccuracy).toBeGreaterThan(0);
      expect(e.metrics.ensembleValLoss).toBeGreaterThan(0);
    }
    expect(summary.final!.testAccuracy).toBeGreaterThan(0.4);
  });

  it('weight averaging keeps the running mean of the last k epochs and recomputes batch-norm statistics', async () => {
    const { summary, checkpoints } = await run({
      spec: mlp(3),
      dataset: spiral,
      config: config(4, { standardize: {}, batchNorm: {}, adam: { learningRate: 0.01 }, weightAveraging: { lastEpochs: 3 } }),
    });
    expect(summary.weights).toBe('averaged');
    const tensors = (c: CheckpointPayload) =>
      new Map(unpackTensors({ entries: c.manifest.tensors, bytes: c.weights }).map((t) => [t.name, t.tensor]));
    const [e1, e2, e3] = [tensors(checkpoints[1]!), tensors(checkpoints[2]!), tensors(checkpoints[3]!)];
    const w = (m: Map<string, tf.Tensor>, name: string) => Array.from(m.get(name)!.dataSync());
    const expected = w(e1, 'm0/w0').map((v, i) => (v + w(e2, 'm0/w0')[i]! + w(e3, 'm0/w0')[i]!) / 3);
    // The trick's own state in the checkpoint: its running mean, under its id.
    expect(checkpoints[3]!.manifest.state).toMatchObject({ members: [{ tricks: { weightAveraging: { count: 3 } } }] });
    w(e3, 'm0/weightAveraging/average0').forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    expect(summary.final!.valAccuracy).toBeGreaterThan(1 / 3);
    for (const m of [e1, e2, e3]) tf.dispose([...m.values()]);
  });

  it('stop and pause take effect within one batch', async () => {
    let batches = 0;
    let stop = false;
    const { summary } = await run({
      spec: mlp(3),
      dataset: spiral,
      config: config(3, {}),
      events: { onBatch: () => (++batches === 5 ? (stop = true) : undefined) },
      control: { shouldStop: () => stop, waitIfPaused: async () => {} },
    });
    expect(batches).toBe(5);
    expect(summary.status).toBe('stopped');

    let pausedCalls = 0;
    let release: () => void = () => {};
    let seen = 0;
    const running = run({
      spec: mlp(3),
      dataset: spiral,
      config: config(1, {}),
      events: { onBatch: () => seen++ },
      control: {
        shouldStop: () => false,
        waitIfPaused: () => (seen === 3 && pausedCalls++ === 0 ? new Promise<void>((r) => (release = r)) : Promise.resolve()),
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toBe(3);
    release();
    expect((await running).summary.status).toBe('completed');
    expect(seen).toBe(15);
  });

  it('refuses a model whose output does not match the data, naming both', async () => {
    await expect(run({ spec: mlp(5), dataset: spiral, config: config(1, {}) })).rejects.toThrow(
      'the model outputs [5] but spiral (600 points, 3 classes, noise 0.05) has 3 classes: the last layer needs 3 units',
    );
  });
});
