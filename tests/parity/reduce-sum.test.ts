// The engine's wasm Sum and Mean (core/engine/kernels/reduce-sum.ts: float64 accumulators) against the cpu
// backend (which also sums in float64) and a float64 reference, for every axis pattern the kernel distinguishes,
// keepDims, negative axes, and the int32/bool sums it hands to tfjs's own kernel.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { relError } from '../../core/engine/parity/index.js';
import { reduceSumInto } from '../../core/engine/kernels/index.js';

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

/** Values that cancel: many terms of both signs around a small mean (as gradients are). */
function cancelling(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return (a / 2 ** 32 - 0.499) * 2;
  });
}

async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<{ values: Float32Array; shape: number[]; dtype: string }> {
  await tf.setBackend(backend);
  const t = tf.tidy(f);
  const out = { values: Float32Array.from(await t.data()), shape: t.shape, dtype: t.dtype };
  t.dispose();
  return out;
}

/** Float64 reference of a sum over `axes` (kept axes in order). */
function reference(x: Float32Array, shape: number[], axes: number[], mean: boolean): Float64Array {
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const outSize = kept.reduce((a, d) => a * shape[d]!, 1);
  const n = axes.reduce((a, d) => a * shape[d]!, 1);
  const out = new Float64Array(outSize);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < x.length; i++) {
    let o = 0;
    for (const d of kept) o = o * shape[d]! + idx[d]!;
    out[o]! += x[i]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return mean ? out.map((v) => v / n) : out;
}

const CASES: Array<{ shape: number[]; axis: number[]; what: string }> = [
  { shape: [16, 28, 28, 4], axis: [0, 1, 2], what: 'bias gradient: [reduced, kept]' },
  { shape: [40, 10], axis: [1], what: 'rows: [kept, reduced]' },
  { shape: [3000], axis: [0], what: 'everything' },
  { shape: [6, 9, 9, 5], axis: [1, 2], what: 'global pooling: [kept, reduced, kept]' },
  { shape: [4, 5, 6, 7], axis: [0, 2], what: 'general: [reduced, kept, reduced, kept]' },
  { shape: [4, 5, 6, 7], axis: [1, 3], what: 'general: [kept, reduced, kept, reduced]' },
  { shape: [4, 5, 6], axis: [-1, 0], what: 'negative axis' },
  { shape: [5, 6], axis: [], what: 'no axis: a copy' },
];

describe('wasm Sum and Mean (float64 accumulation)', () => {
  for (const [i, k] of CASES.entries()) {
    for (const mean of [false, true]) {
      it(`${mean ? 'mean' : 'sum'} of [${k.shape.join(',')}] over [${k.axis.join(',')}] (${k.what})`, async () => {
        const size = k.shape.reduce((a, b) => a * b, 1);
        const x = cancelling(size, 10 + i);
        const f = () => (mean ? tf.mean(tf.tensor(x, k.shape), k.axis) : tf.sum(tf.tensor(x, k.shape), k.axis));
        const wasm = await on('wasm', f);
        const cpu = await on('cpu', f);
        expect(wasm.shape).toEqual(cpu.shape);
        expect(wasm.dtype).toBe('float32');
        const axes = k.axis.map((a) => (a < 0 ? a + k.shape.length : a)).sort((a, b) => a - b);
        const ref = reference(x, k.shape, axes, mean);
        // float64 accumulation rounded once: within one float32 rounding of the exact value, like cpu.
        expect(relError(wasm.values, ref)).toBeLessThan(1e-7);
        expect(relError(wasm.values, cpu.values)).toBeLessThan(2e-7);
      });
    }
  }

  it('keepDims keeps the reduced axes as 1', async () => {
    const x = cancelling(2 * 3 * 4, 3);
    const got = await on('wasm', () => tf.sum(tf.tensor(x, [2, 3, 4]), [0, 2], true));
    expect(got.shape).toEqual([1, 3, 1]);
    expect(relError(got.values, reference(x, [2, 3, 4], [0, 2], false))).toBeLessThan(1e-7);
  });

  it('hands int32 and bool sums to tfjs’s own kernel', async () => {
    const ints = await on('wasm', () => tf.sum(tf.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), 1));
    expect(ints.dtype).toBe('int32');
    expect(Array.from(ints.values)).toEqual([6, 15]);
    const bools = await on('wasm', () => tf.sum(tf.tensor([1, 0, 1, 1], [4], 'bool')));
    expect(Array.from(bools.values)).toEqual([3]);
  });

  it('sums where the stock float32 kernel drifts (10⁵ cancelling terms)', async () => {
    const x = cancelling(100_000, 99);
    const ref = reference(x, [100_000], [0], false);
    const got = await on('wasm', () => tf.sum(tf.tensor(x)));
    expect(relError(got.values, ref)).toBeLessThan(1e-7);
    const direct = new Float32Array(1);
    reduceSumInto(x, [100_000], [0], direct, false);
    expect(direct[0]).toBe(got.values[0]);
  });
});
