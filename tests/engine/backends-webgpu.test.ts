// The webgpu backend (Dawn, through the `webgpu` package) on whatever adapter this machine has. In CI that is a
// software one: Mesa's llvmpipe through Dawn's OpenGL ES path (Debian packages libegl1, libegl-mesa0,
// libgl1-mesa-dri; see .ci/apt-packages.sh), or lavapipe through Vulkan where Mesa is new enough.
// Where no adapter can be had the tests are skipped and the reason is printed.
// Its own file: navigator.gpu and tfjs's webgpu registration are per process (vitest gives each file a worker).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs's gradients under Node
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, releaseBackends, type BackendInfo } from '../../core/engine/backends/index.js';

let info: BackendInfo | undefined;
let why = '';
try {
  info = await initBackend('webgpu');
  console.log(`webgpu tests run on: ${info.device}`);
} catch (e) {
  why = (e as Error).message;
  console.warn(`webgpu tests SKIPPED: ${why}`);
}

// CI installs the packages for a software adapter and sets this (.ci/run): there a missing adapter fails the tests.
const required = process.env.LAYERWISE_REQUIRE_WEBGPU === '1';

afterAll(() => releaseBackends());

function random(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 31 - 1;
  });
}

function relError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(a.length).toBe(ref.length);
  let err = 0;
  let mag = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - ref[i]!));
    mag = Math.max(mag, Math.abs(ref[i]!));
  }
  return err / Math.max(mag, 1e-30);
}

/** Runs f on a backend with fresh tensors made from the same arrays; returns every output's values. */
async function on(backend: 'webgpu' | 'cpu', f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend(backend);
  const outs = tf.tidy(f);
  const values = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(outs);
  return values;
}

describe.skipIf(!info && !required)(`webgpu backend${info ? '' : ` (no adapter: ${why})`}`, () => {
  beforeAll(() => {
    if (!info) throw new Error(`LAYERWISE_REQUIRE_WEBGPU=1 but there is no webgpu adapter: ${why}`);
  });

  it('is the current backend and names its adapter', () => {
    expect(tf.getBackend()).toBe('webgpu');
    expect(info!.name).toBe('webgpu');
    expect(info!.device).toMatch(/ via .*Dawn/);
  });

  it('matmul matches cpu', async () => {
    const a = random(17 * 23, 1);
    const b = random(23 * 9, 2);
    const f = () => [tf.matMul(tf.tensor2d(a, [17, 23]), tf.tensor2d(b, [23, 9]))];
    const [gpu] = await on('webgpu', f);
    const [cpu] = await on('cpu', f);
    expect(relError(gpu!, cpu!)).toBeLessThan(1e-5);
  });

  it('conv2d and maxPool gradients (filter, input, bias) match cpu', async () => {
    const x = random(2 * 9 * 9 * 3, 3).map((v) => Math.round(v * 2) / 2); // ties for the pooling
    const w = random(3 * 3 * 3 * 4, 4);
    const bias = random(4, 5);
    const f = () => {
      const xs = tf.tensor4d(x, [2, 9, 9, 3]);
      const loss = (xs: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) =>
        tf.sum(tf.square(tf.maxPool(tf.add(tf.conv2d(xs, w, 2, 'same'), b) as tf.Tensor4D, 2, 2, 'same')));
      const g = tf.grads(loss as (...args: tf.Tensor[]) => tf.Tensor);
      return g([xs, tf.tensor4d(w, [3, 3, 3, 4]), tf.tensor1d(bias)]);
    };
    const gpu = await on('webgpu', f);
    const cpu = await on('cpu', f);
    expect(gpu).toHaveLength(3);
    for (const [i, name] of ['dx', 'dW', 'db'].entries()) {
      expect(Math.max(...cpu[i]!.map(Math.abs)), name).toBeGreaterThan(1e-3);
      expect(relError(gpu[i]!, cpu[i]!), name).toBeLessThan(1e-5);
    }
  });
});
