// Without the generated SIMD module (a checkout where scripts/build-kernels.mjs has not run), the engine warns once
// and trains with its previous kernels: nothing crashes, and the results still match the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../core/engine/kernels/simd/generated/kernels-wasm.js', () => {
  throw new Error('Cannot find module kernels-wasm.js');
});

describe('SIMD kernels missing', () => {
  it('warns once, and the wasm kernels fall back to the previous ones', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { initBackend } = await import('../../core/engine/backends/index.js');
    const { simdKernels } = await import('../../core/engine/kernels/index.js');
    await initBackend('wasm');
    await initBackend('wasm');
    expect(simdKernels(tf.backend() as never)).toBeNull();
    const lines = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('SIMD kernels'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    warn.mockRestore();

    // A small CNN's gradients (conv, relu, max pool, bias, dense) on wasm without the SIMD module match cpu.
    const grads = async (backend: 'cpu' | 'wasm') => {
      await initBackend(backend);
      return tf.tidy(() => {
        const x = tf.randomUniform([4, 10, 10, 1], -1, 1, 'float32', 1);
        const w1 = tf.randomUniform([3, 3, 1, 4], -1, 1, 'float32', 2);
        const b1 = tf.randomUniform([4], -1, 1, 'float32', 3);
        const w2 = tf.randomUniform([64, 3], -1, 1, 'float32', 4);
        const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
          const h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, a as tf.Tensor4D, 1, 'valid'), b)) as tf.Tensor4D, 2, 2, 'valid');
          return tf.sum(tf.square(tf.matMul(tf.reshape(h, [4, 64]), c)));
        };
        return tf.grads(f)([w1, b1, w2]).map((g) => Float32Array.from(g.dataSync()));
      });
    };
    const cpu = await grads('cpu');
    const wasm = await grads('wasm');
    for (let i = 0; i < cpu.length; i++) {
      const mag = Math.max(...cpu[i]!.map(Math.abs));
      const err = Math.max(...cpu[i]!.map((v, j) => Math.abs(v - wasm[i]![j]!)));
      expect(err / mag).toBeLessThan(1e-5);
    }
  });
});
