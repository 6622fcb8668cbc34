// Run by tests/engine/kernels-matmul.test.ts in a child process with --experimental-wasm-relaxed-simd (as the trainer
// process runs): which SIMD build loaded, and every matrix-product case's error against the cpu backend. Prints one
// JSON line.
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
const errors: Record<string, number> = {};
for (const c of MATMUL_CASES) {
  const { kernel, inputs, attrs } = matmulInputs(c);
  const out: Record<string, Float32Array> = {};
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    out[backend] = tf.tidy(() => {
      const tensors = Object.fromEntries(Object.entries(inputs).map(([key, v]) => [key, tf.tensor(v.values, v.shape)]));
      return Float32Array.from((tf.engine().runKernel(kernel, tensors, attrs) as tf.Tensor).dataSync());
    });
  }
  errors[c.name] = relError(out.wasm!, out.cpu!);
}
process.stdout.write(`${JSON.stringify({ variant: simdVariant(), gemmCalls, errors })}\n`);
