// What the live chart is drawn from: every step's own batch loss (not the epoch's running mean, which drops at each
// epoch start), carried through the coalesced progress messages; and, for a 2-D set, the decision-boundary grid sent
// with every epoch report.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { Coalescer, mergeProgress } from '../../core/engine/coalesce.js';
import { makeSynthetic } from '../../core/engine/data/synthetic.js';
import { boundaryExtent, boundaryGrid, BOUNDARY_SIZE, hasBoundary } from '../../core/engine/training/boundary.js';
import { train } from '../../core/engine/train.js';
import { batchesPerEpochOf, parseTrainingConfig, stepOfLoss, type BatchProgress, type EpochReport, type ModelSpec, type SyntheticRef, type TrainingConfig } from '../../shared/index.js';

const CPU = { name: 'cpu', device: 'test' } as const;

beforeAll(async () => {
  await initBackend('cpu');
});

function config(epochs: number, tricks: Record<string, unknown> = {}, batchSize = 32): TrainingConfig {
  const parsed = parseTrainingConfig({ epochs, batchSize, seed: 11, tricks });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return parsed.value;
}

const mlp = (inputs: number, classes: number): ModelSpec => ({
  version: 1,
  name: 'live',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [inputs] },
    { type: 'dense', units: 24, activation: 'relu' },
    { type: 'dense', units: classes, activation: 'softmax' },
  ],
});

const spiral: SyntheticRef = { kind: 'synthetic', name: 'spiral', samples: 500, classes: 3, noise: 0.05 };
const blobs: SyntheticRef = { kind: 'synthetic', name: 'blobs', samples: 500, classes: 3, noise: 0.1 };

describe('per-step batch loss', () => {
  it('every batch reports its own loss; their weighted mean is the epoch loss and the sampled step losses are the same numbers', async () => {
    const batches: BatchProgress[] = [];
    const epochs: EpochReport[] = [];
    const cfg = config(3, { adam: { learningRate: 0.03 } });
    await train({ spec: mlp(2, 3), dataset: spiral, config: cfg, backend: CPU, events: { onBatch: (p) => batches.push(p), onEpoch: (r) => epochs.push(r) } });
    const bpe = batchesPerEpochOf(400, 32);
    expect(bpe).toBe(13);
    expect(batches).toHaveLength(3 * bpe);
    expect(batches.every((b) => b.losses.length === 1)).toBe(true);
    const losses = batches.map((b) => b.losses[0]!);
    expect(batches.map((b) => stepOfLoss(b, 0))).toEqual(losses.map((_, i) => i));
    for (const [e, report] of epochs.entries()) {
      // 12 full batches of 32 and one of 16: the epoch's loss is the sample-weighted mean of its batch losses.
      const mine = losses.slice(e * bpe, (e + 1) * bpe);
      const weighted = mine.reduce((sum, l, i) => sum + l * (i === bpe - 1 ? 16 : 32), 0) / 400;
      expect(report.metrics.loss).toBeCloseTo(weighted, 5);
      for (const s of report.steps) expect(losses[s.step]).toBe(s.loss);
    }
    // The running mean `loss` is not what is plotted: at an epoch's first batch it equals that batch's loss.
    expect(batches[bpe]!.loss).toBeCloseTo(batches[bpe]!.losses[0]!, 6);
    expect(batches[bpe - 1]!.loss).not.toBeCloseTo(batches[bpe - 1]!.losses[0]!, 6);
  });

  it('coalescing keeps every batch loss in order and the latest counters', () => {
    let clock = 0;
    const sent: BatchProgress[] = [];
    const c = new Coalescer<BatchProgress>((p) => sent.push(p), 100, () => clock, mergeProgress);
    const at = (batch: number): BatchProgress => ({ epoch: 1, batch, batchesPerEpoch: 50, epochs: 2, loss: 1 / batch, samplesPerSecond: 10, losses: [batch / 100] });
    for (let b = 1; b <= 50; b++) {
      c.push(at(b));
      clock += 7;
    }
    c.flush();
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.length).toBeLessThan(10);
    expect(sent.flatMap((p) => p.losses)).toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) / 100));
    expect(sent.flatMap((p) => p.losses.map((_, i) => stepOfLoss(p, i)))).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
    expect(sent[sent.length - 1]!.batch).toBe(50);
    // Without merge the older value is replaced (the behaviour other streams keep).
    const plain: number[] = [];
    const p = new Coalescer<number>((v) => plain.push(v), 100, () => 0);
    p.push(1);
    p.push(2);
    p.push(3);
    p.flush();
    expect(plain).toEqual([1, 3]);
  });
});

describe('decision boundary', () => {
  it('is only for two input features and two classes or more', () => {
    expect(hasBoundary([2], 3)).toBe(true);
    expect(hasBoundary([2], 1)).toBe(false);
    expect(hasBoundary([3], 2)).toBe(false);
    expect(hasBoundary([28, 28, 1], 10)).toBe(false);
  });

  it('covers the training points with a margin, cell centres top row first', () => {
    const data = makeSynthetic(spiral);
    const [x0, x1, y0, y1] = boundaryExtent(data.train);
    for (let i = 0; i < data.train.count; i++) {
      expect(data.train.x[i * 2]).toBeGreaterThan(x0);
      expect(data.train.x[i * 2]).toBeLessThan(x1);
      expect(data.train.x[i * 2 + 1]).toBeGreaterThan(y0);
      expect(data.train.x[i * 2 + 1]).toBeLessThan(y1);
    }
    const grid = boundaryGrid([0, 4, 0, 2], 2);
    expect(Array.from(grid)).toEqual([1, 1.5, 3, 1.5, 1, 0.5, 3, 0.5]);
  });

  it('comes with every epoch report of a 2-D run, sums to 1 per cell, follows the training and classifies the points it was trained on', async () => {
    const epochs: EpochReport[] = [];
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    // Inputs scaled to [0, 1] (a shift the model would not forgive): the grid must be scaled exactly as the training points were.
    await train({
      spec: mlp(2, 3),
      dataset: blobs,
      config: config(25, { scaleUnit: {}, adam: { learningRate: 0.03 } }),
      backend: CPU,
      events: { onEpoch: (r) => (epochs.push(r), counts.push(tf.memory().numTensors)) },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(new Set(counts).size, `numTensors by epoch ${counts}`).toBe(1);
    expect(epochs).toHaveLength(25);
    const first = epochs[0]!.boundary!;
    const last = epochs[24]!.boundary!;
    expect(first.size).toBe(BOUNDARY_SIZE);
    expect(first.classes).toBe(3);
    expect(first.probs).toHaveLength(BOUNDARY_SIZE * BOUNDARY_SIZE * 3);
    expect(last.extent).toEqual(first.extent);
    for (let cell = 0; cell < BOUNDARY_SIZE * BOUNDARY_SIZE; cell += 97) {
      const sum = last.probs[cell * 3]! + last.probs[cell * 3 + 1]! + last.probs[cell * 3 + 2]!;
      expect(sum).toBeGreaterThan(0.997);
      expect(sum).toBeLessThan(1.003);
    }
    expect(last.probs).not.toEqual(first.probs);

    // Look each training point up in the last grid: the cell's most likely class is mostly the point's label.
    const data = makeSynthetic(blobs);
    const [x0, x1, y0, y1] = last.extent;
    let agree = 0;
    for (let i = 0; i < data.train.count; i++) {
      const c = Math.min(BOUNDARY_SIZE - 1, Math.floor(((data.train.x[i * 2]! - x0) / (x1 - x0)) * BOUNDARY_SIZE));
      const r = Math.min(BOUNDARY_SIZE - 1, Math.floor(((y1 - data.train.x[i * 2 + 1]!) / (y1 - y0)) * BOUNDARY_SIZE));
      const p = last.probs.slice((r * BOUNDARY_SIZE + c) * 3, (r * BOUNDARY_SIZE + c) * 3 + 3);
      const predicted = p.indexOf(Math.max(...p));
      if (data.train.y[i * 3 + predicted] === 1) agree++;
    }
    expect(agree / data.train.count).toBeGreaterThan(0.85);
    expect(agree / data.train.count).toBeGreaterThan(epochs[24]!.metrics.accuracy - 0.1);
  });

  it('is absent for data that is not 2-D', async () => {
    // Three features: no plane to draw.
    const rows = 60;
    const x = new Float32Array(rows * 3).map((_, i) => ((i * 7919) % 13) / 13);
    const y = new Float32Array(rows * 2).map((_, i) => (i % 2 === Math.floor(i / 2) % 2 ? 1 : 0));
    const split = { x, y, count: rows };
    const dataset = { name: 'three', inputShape: [3], numClasses: 2, classNames: ['a', 'b'], train: split, validation: split, test: split };
    const epochs: EpochReport[] = [];
    await train({ spec: mlp(3, 2), dataset, config: config(1), backend: CPU, events: { onEpoch: (r) => epochs.push(r) } });
    expect(epochs).toHaveLength(1);
    expect(epochs[0]!.boundary).toBeUndefined();
  });
});
