// Our SIMD convolution's newer paths against the cpu backend: one output channel (conv-dot.ts: the first layer's
// input gradient), and FusedConv2D with the bias and ReLU in the same pass (conv2d.ts). Counted, so a fallback to
// tfjs's kernel fails here.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { loadSimdKernels, registerEngineKernels, simdKernels } from '../../core/engine/kernels/index.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { random, relError, runKernel, size, ties } from './support/kernels.js';

type Shape4 = [number, number, number, number];
type Pad = 'valid' | 'same' | number[][];

/** Counts calls into the SIMD module's conv entry points while `fn` runs. */
async function countingSimd<T>(fn: () => Promise<T>): Promise<{ result: T; dot: number; conv: number }> {
  await tf.setBackend('wasm');
  const k = simdKernels(tf.backend() as BackendWasm)! as unknown as Record<string, (...a: number[]) => void>;
  const saved = { dot: k.conv2dDot!, conv: k.conv2d! };
  const counts = { dot: 0, conv: 0 };
  k.conv2dDot = (...a) => (counts.dot++, saved.dot(...a));
  k.conv2d = (...a) => (counts.conv++, saved.conv(...a));
  try {
    return { result: await fn(), ...counts };
  } finally {
    k.conv2dDot = saved.dot;
    k.conv2d = saved.conv;
  }
}

beforeAll(async () => {
  registerEngineKernels();
  await initBackend('cpu');
  await initBackend('wasm');
  await loadSimdKernels();
});

describe('Conv2D with one output channel (dot products) against cpu', () => {
  const cases: Array<{ x: Shape4; f: [number, number]; s: number; pad: Pad }> = [
    { x: [4, 26, 26, 8], f: [3, 3], s: 1, pad: [[0, 0], [2, 2], [2, 2], [0, 0]] }, // the bench CNN's conv1 input gradient
    { x: [1, 5, 5, 1], f: [3, 3], s: 1, pad: 'same' }, // batch 1, span 3: no full vector
    { x: [2, 9, 11, 3], f: [5, 3], s: 2, pad: 'same' }, // strided, padded, span 9 (2 vectors + 1)
    { x: [3, 7, 10, 5], f: [2, 4], s: 1, pad: 'valid' }, // span 20, ow 7: one tile of 4 and 3 single pixels
    { x: [2, 6, 6, 4], f: [6, 6], s: 1, pad: 'valid' }, // one output pixel
  ];
  for (const { x, f, s, pad } of cases) {
    it(`x [${x.join(', ')}], ${f.join('×')}×1 stride ${s} ${JSON.stringify(pad)}`, async () => {
      const filterShape = [f[0], f[1], x[3], 1];
      const attrs = { strides: [s, s], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
      const inputs = { x: { values: random(size(x), 31), shape: x }, filter: { values: random(size(filterShape), 32), shape: filterShape } };
      const cpu = await runKernel('Conv2D', 'cpu', inputs, attrs);
      const { result: wasm, dot } = await countingSimd(() => runKernel('Conv2D', 'wasm', inputs, attrs));
      expect(dot).toBe(1);
      expect(relError(wasm, cpu)).toBeLessThan(1e-6);
    });
  }

  it('the first layer\'s input gradient (Conv2DBackpropInput to 1 channel) runs as one dot-product conv', async () => {
    const x: Shape4 = [8, 28, 28, 1];
    const filterShape: Shape4 = [3, 3, 1, 8];
    const attrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: x } as unknown as tf.NamedAttrMap;
    const inputs = { dy: { values: random(8 * 26 * 26 * 8, 5), shape: [8, 26, 26, 8] }, filter: { values: random(size(filterShape), 6), shape: filterShape } };
    const cpu = await runKernel('Conv2DBackpropInput', 'cpu', inputs, attrs);
    const { result: wasm, dot } = await countingSimd(() => runKernel('Conv2DBackpropInput', 'wasm', inputs, attrs));
    expect(dot).toBe(1);
    expect(relError(wasm, cpu)).toBeLessThan(1e-6);
  });
});

describe('FusedConv2D (conv + bias + ReLU in one SIMD pass) against cpu', () => {
  const cases: Array<{ x: Shape4; f: number; cout: number; pad: Pad; bias: boolean; activation: string; simd: boolean }> = [
    { x: [16, 28, 28, 1], f: 3, cout: 8, pad: 'valid', bias: true, activation: 'relu', simd: true }, // the CNN's conv1 in inference
    { x: [4, 13, 13, 8], f: 3, cout: 16, pad: 'valid', bias: true, activation: 'linear', simd: true }, // before batch norm
    { x: [4, 13, 13, 8], f: 3, cout: 16, pad: 'same', bias: false, activation: 'linear', simd: true }, // useBias false
    { x: [2, 9, 8, 3], f: 5, cout: 24, pad: 'same', bias: true, activation: 'relu', simd: true }, // 16 + 8 channels, borders
    { x: [2, 7, 7, 3], f: 3, cout: 1, pad: 'same', bias: true, activation: 'relu', simd: true }, // one channel: the dot path
    { x: [2, 6, 6, 4], f: 3, cout: 8, pad: 'same', bias: true, activation: 'elu', simd: false }, // other activations: tfjs's
    { x: [2, 6, 6, 4], f: 3, cout: 6, pad: 'same', bias: true, activation: 'relu', simd: false }, // 6 channels: tfjs's
  ];
  for (const { x, f, cout, pad, bias, activation, simd } of cases) {
    it(`x [${x.join(', ')}], ${f}×${f}×${cout} ${JSON.stringify(pad)}, ${bias ? 'bias' : 'no bias'}, ${activation}`, async () => {
      const filterShape = [f, f, x[3], cout];
      const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined, activation, leakyreluAlpha: 0.2 } as unknown as tf.NamedAttrMap;
      const inputs = {
        x: { values: ties(size(x), 41), shape: x }, // ties and zeros: many exact-zero pre-activations
        filter: { values: random(size(filterShape), 42), shape: filterShape },
        ...(bias ? { bias: { values: random(cout, 43), shape: [cout] } } : {}),
      };
      const cpu = await runKernel('FusedConv2D', 'cpu', inputs, attrs);
      const { result: wasm, dot, conv } = await countingSimd(() => runKernel('FusedConv2D', 'wasm', inputs, attrs));
      expect(dot + conv).toBe(simd ? 1 : 0);
      expect(relError(wasm, cpu)).toBeLessThan(1e-6);
      if (activation === 'relu') expect(wasm.every((v) => v >= 0 && !Object.is(v, -0))).toBe(true);
    });
  }
});
