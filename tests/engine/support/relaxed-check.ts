// Run by tests/engine/kernels-matmul.test.ts in a child process with --experimental-wasm-relaxed-simd (as the trainer
// process runs): which SIMD build loaded, and every matrix-product case's error against the cpu backend. Prints one
// JSON line. The convolutions' FMA paths are checked here too.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../../core/engine/backends/index.js';
import { loadSimdKernels, registerEngineKernels, simdKernels } from '../../../core/engine/kernels/index.js';
import { simdVariant } from '../../../core/engine/kernels/simd/index.js';
import { MATMUL_CASES, matmulInputs } from './matmul-cases.js';

/** As tests/engine/support/kernels.ts (no vitest here). */
function relError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (a.length !== ref.length) return Infinity;
  let err = 0;
  let mag = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - ref[i]!));
    mag = Math.max(mag, Math.abs(ref[i]!));
  }
  return err / Math.max(mag, 1e-30);
}

registerEngineKernels();
await initBackend('cpu');
await initBackend('wasm');
await loadSimdKernels();
const k = simdKernels(tf.backend() as BackendWasm)! as unknown as Record<string, (...a: number[]) => void>;
const gemm = k.gemm!;
let gemmCalls = 0;
k.gemm = (...a) => (gemmCalls++, gemm(...a));
// The convolutions' FMA paths too (conv2d, conv2dDot, filterGrad), on the bench CNN's shapes.
const conv = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined };
const CONV_CASES = [
  { name: 'Conv2D conv2 [8,13,13,8]·3×3×16', kernel: 'Conv2D', inputs: { x: [8, 13, 13, 8], filter: [3, 3, 8, 16] }, attrs: conv },
  { name: 'FusedConv2D conv1 + bias + relu', kernel: 'FusedConv2D', inputs: { x: [8, 28, 28, 1], filter: [3, 3, 1, 8], bias: [8] }, attrs: { ...conv, activation: 'relu' } },
  { name: 'Conv2D one channel (dot)', kernel: 'Conv2D', inputs: { x: [4, 26, 26, 8], filter: [3, 3, 8, 1] }, attrs: { ...conv, pad: 'same' } },
  { name: 'Conv2DBackpropFilter conv2', kernel: 'Conv2DBackpropFilter', inputs: { x: [8, 13, 13, 8], dy: [8, 11, 11, 16] }, attrs: { ...conv, filterShape: [3, 3, 8, 16] } },
];
function seeded(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 31 - 1;
  });
}
const cases = [
  ...MATMUL_CASES.map((c) => ({ name: c.name, ...matmulInputs(c) })),
  ...CONV_CASES.map((c, i) => ({
    name: c.name,
    kernel: c.kernel,
    inputs: Object.fromEntries(Object.entries(c.inputs).map(([key, shape], j) => [key, { values: seeded((shape as number[]).reduce((p, q) => p * q, 1), 10 * i + j), shape: shape as number[] }])),
    attrs: c.attrs as unknown as tf.NamedAttrMap,
  })),
];
const errors: Record<string, number> = {};
for (const { name, kernel, inputs, attrs } of cases) {
  const out: Record<string, Float32Array> = {};
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    out[backend] = tf.tidy(() => {
      const tensors = Object.fromEntries(Object.entries(inputs).map(([key, v]) => [key, tf.tensor(v.values, v.shape)]));
      return Float32Array.from((tf.engine().runKernel(kernel, tensors, attrs) as tf.Tensor).dataSync());
    });
  }
  errors[name] = relError(out.wasm!, out.cpu!);
}
process.stdout.write(`${JSON.stringify({ variant: simdVariant(), gemmCalls, errors })}\n`);
