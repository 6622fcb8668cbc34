import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../core/engine/build-model.js';
import type { InitializerName, LayerSpec, ModelSpec } from '../../shared/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const spec = (layers: LayerSpec[]): ModelSpec => ({ version: 1, name: 't', loss: 'meanSquaredError', layers });

describe('initialisers have the variance they claim (≥100k draws, within 2%)', () => {
  const fanIn = 400;
  const fanOut = 300; // 120,000 weights
  const expected: Record<InitializerName, number> = {
    normal: 1,
    uniform: 0.05 ** 2 / 3,
    lecunNormal: 1 / fanIn,
    glorotNormal: 2 / (fanIn + fanOut),
    glorotUniform: 2 / (fanIn + fanOut),
    heNormal: 2 / fanIn,
    heUniform: 2 / fanIn,
  };
  it.each(Object.entries(expected))('%s: variance %f', (initializer, variance) => {
    const model = buildModel(
      spec([{ type: 'input', shape: [fanIn] }, { type: 'dense', units: fanOut, initializer: initializer as InitializerName }]),
      { seed: 11 },
    );
    const kernel = model.getWeights()[0]!;
    const { mean, variance: v } = tf.moments(kernel);
    expect(kernel.size).toBeGreaterThanOrEqual(100_000);
    expect(Math.abs(mean.dataSync()[0]!)).toBeLessThan(0.01 * Math.sqrt(variance) * 10);
    expect(v.dataSync()[0]! / variance).toBeGreaterThan(0.98);
    expect(v.dataSync()[0]! / variance).toBeLessThan(1.02);
    tf.dispose([mean, v]);
    model.dispose();
  });

  it('uses the conv fan-in kh·kw·c_in for He', () => {
    const model = buildModel(
      spec([{ type: 'input', shape: [8, 8, 50] }, { type: 'conv2d', filters: 100, kernelSize: 5, initializer: 'heNormal' }]),
      { seed: 3 },
    );
    const { variance } = tf.moments(model.getWeights()[0]!);
    expect(variance.dataSync()[0]! / (2 / (5 * 5 * 50))).toBeCloseTo(1, 1);
    model.dispose();
  });
});

describe('batch norm and dropout behave differently in training and inference', () => {
  it('dropout zeroes about p of the units and scales the rest by 1/(1−p) in training; identity at inference', () => {
    const model = buildModel(spec([{ type: 'input', shape: [1000] }, { type: 'dropout', rate: 0.3 }]), { seed: 1 });
    const x = tf.ones([20, 1000]);
    const train = (model.apply(x, { training: true }) as tf.Tensor).dataSync();
    const zeros = train.filter((v) => v === 0).length / train.length;
    expect(zeros).toBeGreaterThan(0.28);
    expect(zeros).toBeLessThan(0.32);
    for (const v of train) if (v !== 0) expect(v).toBeCloseTo(1 / 0.7, 5);
    const again = (model.apply(x, { training: true }) as tf.Tensor).dataSync();
    expect(Array.from(again)).not.toEqual(Array.from(train)); // a fresh mask every call
    expect(Array.from((model.apply(x, { training: false }) as tf.Tensor).dataSync()).every((v) => v === 1)).toBe(true);
    model.dispose();
  });

  it('batch norm normalises with batch statistics in training, with moving statistics at inference', () => {
    const model = buildModel(spec([{ type: 'input', shape: [3] }, { type: 'batchNorm', momentum: 0.5, epsilon: 1e-6 }]), { seed: 1 });
    const x = tf.tensor2d([
      [1, 10, -5],
      [3, 20, -5.5],
      [5, 30, -6],
    ]);
    const trained = model.apply(x, { training: true }) as tf.Tensor;
    const { mean, variance } = tf.moments(trained, 0);
    Array.from(mean.dataSync()).forEach((m) => expect(m).toBeCloseTo(0, 5));
    Array.from(variance.dataSync()).forEach((v) => expect(v).toBeCloseTo(1, 3));
    // Moving mean after one update with momentum 0.5: 0.5·0 + 0.5·batch mean.
    const movingMean = model.getWeights()[2]!.dataSync();
    expect(Array.from(movingMean)).toEqual([1.5, 10, -2.75].map((v) => expect.closeTo(v, 5)));
    const inferred = (model.apply(x, { training: false }) as tf.Tensor).arraySync() as number[][];
    // Inference uses the moving statistics, so a row is not re-centred on this batch.
    expect(inferred[0]![0]).toBeCloseTo((1 - 1.5) / Math.sqrt(0.5 * 1 + 0.5 * (8 / 3) + 1e-6), 3);
    model.dispose();
  });
});
