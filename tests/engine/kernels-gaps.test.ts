// The kernels the newer layer types need (core/engine/kernels/layer-gaps.ts): wasm's missing embedding and depthwise
// gradients, bit-identical to the cpu backend's; cpu's one-pass segment sum; and cpu's nearest-neighbour resize
// gradient, which tfjs 4.22 gets wrong for every sample after the first (the stock kernel is shown failing here).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs's gradients under Node
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { registerEngineKernels, stockKernel } from '../../core/engine/kernels/index.js';

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

/** Seeded uniform floats in [-1, 1). */
function random(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return 2 * (((t ^ (t >>> 14)) >>> 0) / 4294967296) - 1;
  });
}

/** The gradients of `f` on a backend, as plain arrays. */
async function gradsOn(backend: 'cpu' | 'wasm', f: (...xs: tf.Tensor[]) => tf.Scalar, inputs: Array<{ values: Float32Array | Int32Array; shape: number[]; dtype?: 'int32' }>): Promise<number[][]> {
  await tf.setBackend(backend);
  const xs = inputs.map((i) => tf.tensor(i.values, i.shape, i.dtype ?? 'float32'));
  const grads = tf.grads(f)(xs);
  const out = await Promise.all(grads.map(async (g) => Array.from(await g.data())));
  tf.dispose([...xs, ...grads]);
  return out;
}

describe('embedding gradient (UnsortedSegmentSum)', () => {
  it('sums each id\'s rows on wasm exactly as cpu does, repeated ids included', async () => {
    const vocabulary = 7;
    const ids = Int32Array.from({ length: 5 * 9 }, (_, i) => (i * 5) % vocabulary); // every id, several times
    const table = random(vocabulary * 4, 1);
    const dy = random(5 * 9 * 4, 2);
    const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor(ids, [5, 9], 'int32')), tf.tensor(dy, [5, 9, 4]))) as tf.Scalar;
    const input = [{ values: table, shape: [vocabulary, 4] }];
    const [cpu] = await gradsOn('cpu', f, input);
    const [wasm] = await gradsOn('wasm', f, input);
    expect(wasm).toEqual(cpu);
    // Against a float64 sum written here.
    const expected = new Float64Array(vocabulary * 4);
    ids.forEach((id, r) => {
      for (let j = 0; j < 4; j++) expected[id * 4 + j]! += dy[r * 4 + j]!;
    });
    expect(cpu).toEqual(Array.from(Float32Array.from(expected)));
  });

  it('gives cpu the same sums as tfjs\'s own (one pass instead of one masked pass per id)', async () => {
    await tf.setBackend('cpu');
    const x = tf.tensor(random(40 * 3, 3), [40, 3]);
    const ids = tf.tensor1d(Int32Array.from({ length: 40 }, (_, i) => (i * 7) % 11), 'int32');
    const ours = await tf.unsortedSegmentSum(x, ids, 11).data();
    const stock = stockKernel('UnsortedSegmentSum', 'cpu')!;
    const out = stock.kernelFunc({ inputs: { x, segmentIds: ids }, backend: tf.backend(), attrs: { numSegments: 11 } }) as tf.TensorInfo;
    expect(Array.from(ours)).toEqual(Array.from(tf.backend().readSync(out.dataId) as Float32Array));
    tf.backend().disposeData(out.dataId);
    tf.dispose([x, ids]);
  });
});

describe('depthwise convolution gradients on wasm', () => {
  it.each([
    ['3×3 same, multiplier 2', [2, 6, 7, 3], [3, 3, 3, 2], 1, 'same'],
    ['5×3 valid, stride 2', [3, 9, 8, 2], [5, 3, 2, 1], 2, 'valid'],
    ['2×2 same, stride 2, multiplier 3', [1, 5, 5, 2], [2, 2, 2, 3], 2, 'same'],
  ] as const)('%s: filter and input gradients equal cpu\'s bit for bit', async (_name, xShape, fShape, stride, pad) => {
    const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    const x = random(count(xShape), 4);
    const filter = random(count(fShape), 5);
    // A fixed dy (a linear loss), so both backends' gradient kernels get the same inputs whatever their forward rounding.
    const outShape = tf.depthwiseConv2d(tf.zeros([...xShape]) as tf.Tensor4D, tf.zeros([...fShape]) as tf.Tensor4D, stride, pad).shape;
    const dy = tf.tensor(random(count(outShape), 6), outShape);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), dy)) as tf.Scalar;
    const inputs = [
      { values: x, shape: [...xShape] },
      { values: filter, shape: [...fShape] },
    ];
    const cpu = await gradsOn('cpu', f, inputs);
    const wasm = await gradsOn('wasm', f, inputs);
    expect(wasm[0]).toEqual(cpu[0]);
    expect(wasm[1]).toEqual(cpu[1]);
    expect(Math.max(...cpu[1]!.map(Math.abs))).toBeGreaterThan(0.1);
  });
});

describe('nearest-neighbour up-sampling gradient on cpu', () => {
  /** Each dy pixel added to the source pixel the forward pass copied (scale 2 and 3, no aligned corners). */
  function reference(dy: Float32Array, [n, h, w, c]: number[], [sh, sw]: number[]): number[] {
    const out = new Float64Array(n! * h! * w! * c!);
    for (let b = 0; b < n!; b++)
      for (let y = 0; y < h! * sh!; y++)
        for (let x = 0; x < w! * sw!; x++)
          for (let d = 0; d < c!; d++) out[((b * h! + Math.floor(y / sh!)) * w! + Math.floor(x / sw!)) * c! + d]! += dy[((b * h! * sh! + y) * w! * sw! + x) * c! + d]!;
    return Array.from(Float32Array.from(out));
  }

  it('sends every sample its own gradient (tfjs\'s own kernel reads the first samples\' instead)', async () => {
    const shape = [3, 5, 4, 2];
    const scale = [2, 3];
    const dy = random(3 * 10 * 12 * 2, 6);
    const f = (v: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(v as tf.Tensor4D, [10, 12]), tf.tensor(dy, [3, 10, 12, 2]))) as tf.Scalar;
    const input = [{ values: random(3 * 5 * 4 * 2, 7), shape }];
    const expected = reference(dy, shape, scale);
    const [cpu] = await gradsOn('cpu', f, input);
    const [wasm] = await gradsOn('wasm', f, input);
    expect(cpu).toEqual(expected);
    // wasm's own kernel is right (it adds in float32: within rounding).
    wasm!.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected[i]!))));
    // tfjs's own cpu kernel, put back for one call: right for the first sample only.
    const stock = stockKernel('ResizeNearestNeighborGrad', 'cpu')!;
    try {
      tf.unregisterKernel('ResizeNearestNeighborGrad', 'cpu');
      tf.registerKernel(stock);
      const [wrong] = await gradsOn('cpu', f, input);
      const perSample = 5 * 4 * 2;
      expect(wrong!.slice(0, perSample)).toEqual(expected.slice(0, perSample));
      expect(wrong!.slice(perSample)).not.toEqual(expected.slice(perSample));
    } finally {
      tf.unregisterKernel('ResizeNearestNeighborGrad', 'cpu');
      registerEngineKernels();
    }
  });
});

describe('Tile gradient', () => {
  it('sums each tiled axis in one reshape and sum: what tfjs\'s slice-per-repetition gradient gives, in a few kernels', async () => {
    await tf.setBackend('wasm');
    const gamma = tf.tensor(random(6, 8), [1, 1, 6]);
    const dy = tf.tensor(random(16 * 12 * 6, 9), [16, 12, 6]);
    const f = (g: tf.Tensor) => tf.sum(tf.mul(tf.tile(g, [16, 12, 1]), dy)) as tf.Scalar;
    const profile = await tf.profile(async () => {
      const [grad] = tf.grads(f)([gamma]);
      const values = Array.from(await grad!.data());
      // Against float64 sums over the 192 positions.
      const expected = Array.from({ length: 6 }, (_, j) => {
        let s = 0;
        for (let p = 0; p < 192; p++) s += (dy.dataSync()[p * 6 + j] as number);
        return s;
      });
      values.forEach((v, j) => expect(Math.abs(v - expected[j]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected[j]!))));
      grad!.dispose();
      return [];
    });
    // tfjs's own gradient adds one slice per repetition: 192 Slice kernels here.
    expect(profile.kernels.filter((k) => k.name === 'Slice')).toHaveLength(0);
    expect(profile.kernels.length).toBeLessThan(20);
    tf.dispose([gamma, dy]);
  });
});
