// Our SIMD matrix product (core/engine/kernels/matmul.ts, simd/assembly/gemm.ts) against the cpu backend: every
// transpose combination, odd sizes (tails of the 4×8 tile), K longer than one block, batch 1 and broadcast batches,
// ties and zeros, the fused bias + ReLU of dense layers; then the relaxed-SIMD build (FMA) in a child process run
// with --experimental-wasm-relaxed-simd, as the trainer process is. Calls are counted, so a fallback fails here.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { loadSimdKernels, registerEngineKernels, simdKernels } from '../../core/engine/kernels/index.js';
import { simdVariant } from '../../core/engine/kernels/simd/index.js';
import { MATMUL_CASES, matmulInputs } from './support/matmul-cases.js';
import { relError, runKernel } from './support/kernels.js';

const ROOT = join(import.meta.dirname, '../..');

async function countingGemm<T>(fn: () => Promise<T>): Promise<{ result: T; calls: number }> {
  await tf.setBackend('wasm');
  const k = simdKernels(tf.backend() as BackendWasm)! as unknown as Record<string, (...a: number[]) => void>;
  const saved = k.gemm!;
  let calls = 0;
  k.gemm = (...a) => (calls++, saved(...a));
  try {
    return { result: await fn(), calls };
  } finally {
    k.gemm = saved;
  }
}

beforeAll(async () => {
  registerEngineKernels();
  await initBackend('cpu');
  await initBackend('wasm');
  await loadSimdKernels();
});

describe('BatchMatMul and _FusedMatMul (SIMD GEMM) against cpu', () => {
  it('runs the plain SIMD build in this process (Node 20 without the relaxed-SIMD flag)', () => {
    expect(simdVariant()).toBe(process.execArgv.includes('--experimental-wasm-relaxed-simd') ? 'relaxed' : 'plain');
  });

  for (const c of MATMUL_CASES) {
    it(c.name, async () => {
      const { kernel, inputs, attrs, batches } = matmulInputs(c);
      const cpu = await runKernel(kernel, 'cpu', inputs, attrs);
      const { result: wasm, calls } = await countingGemm(() => runKernel(kernel, 'wasm', inputs, attrs));
      expect(calls).toBe(batches);
      expect(relError(wasm, cpu)).toBeLessThan(1e-6);
      if (c.activation === 'relu') expect(wasm.every((v) => v >= 0 && !Object.is(v, -0))).toBe(true);
    });
  }

  it('falls back to tfjs for int32 and for activations it does not fuse', async () => {
    const a = { values: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [1, 2, 3] };
    const b = { values: Float32Array.from([1, -1, 2, 0, 1, 3]), shape: [1, 3, 2] };
    const attrs = { transposeA: false, transposeB: false, activation: 'elu', leakyreluAlpha: 0.2 } as unknown as tf.NamedAttrMap;
    const cpu = await runKernel('_FusedMatMul', 'cpu', { a, b }, attrs);
    const { result, calls } = await countingGemm(() => runKernel('_FusedMatMul', 'wasm', { a, b }, attrs));
    expect(calls).toBe(0);
    expect(relError(result, cpu)).toBeLessThan(1e-6);
  });
});

describe('the relaxed-SIMD build (FMA), as the trainer process runs it', () => {
  it('is chosen under --experimental-wasm-relaxed-simd and matches cpu on every case (matrix products and convolutions)', () => {
    const r = spawnSync(
      process.execPath,
      ['--experimental-wasm-relaxed-simd', '--import', './tests/store/support/register.mjs', 'tests/engine/support/relaxed-check.ts'],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as { variant: string; errors: Record<string, number>; gemmCalls: number };
    expect(report.variant).toBe('relaxed');
    expect(report.gemmCalls).toBeGreaterThanOrEqual(MATMUL_CASES.length);
    expect(Object.keys(report.errors).length).toBe(MATMUL_CASES.length + 4);
    for (const [name, err] of Object.entries(report.errors)) expect(err, name).toBeLessThan(1e-6);
  });
});
