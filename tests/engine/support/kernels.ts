// Shared by the kernel tests: seeded inputs, the parity measure, and running one kernel through the engine.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Seeded uniform floats in [lo, hi) (mulberry32). */
export function random(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** Few distinct values (ties everywhere), zeros and negatives. */
export function ties(n: number, seed: number): Float32Array {
  return random(n, seed, -2, 3).map((v) => Math.round(v));
}

export const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** max |a − ref| / max |ref| (NaN must match NaN; equal values, ±∞ included, count as no error). */
export function relError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(a.length).toBe(ref.length);
  let err = 0;
  let mag = 0;
  for (let i = 0; i < ref.length; i++) {
    if (Number.isNaN(ref[i]!) || Number.isNaN(a[i]!)) {
      if (Number.isNaN(ref[i]!) !== Number.isNaN(a[i]!)) return Infinity;
      continue;
    }
    if (a[i] === ref[i]) continue;
    err = Math.max(err, Math.abs(a[i]! - ref[i]!));
    mag = Math.max(mag, Math.abs(ref[i]!));
  }
  return err / Math.max(mag, 1e-30);
}

export type Inputs = Record<string, { values: Float32Array; shape: number[] }>;

/** Runs the kernel registered now for `kernelName` on `backendName`, through the engine. */
export async function runKernel(kernelName: string, backendName: string, inputs: Inputs, attrs: tf.NamedAttrMap): Promise<Float32Array> {
  await tf.setBackend(backendName);
  return tf.tidy(() => {
    const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
    const out = tf.engine().runKernel(kernelName, tensors, attrs) as tf.Tensor;
    return Float32Array.from(out.dataSync());
  });
}

/** Counts the calls of wasm kernels while `fn` runs (to prove a path really ran, not a fallback). */
export async function countingKernels<T>(names: string[], fn: () => Promise<T>): Promise<{ result: T; calls: Record<string, number> }> {
  const calls: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const saved = names.map((n) => tf.getKernel(n, 'wasm')!);
  for (const config of saved) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({ ...config, kernelFunc: (a) => (calls[config.kernelName]!++, config.kernelFunc(a)) });
  }
  try {
    return { result: await fn(), calls };
  } finally {
    for (const config of saved) {
      tf.unregisterKernel(config.kernelName, 'wasm');
      tf.registerKernel(config);
    }
  }
}
