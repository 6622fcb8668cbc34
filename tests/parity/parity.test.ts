// Numerical parity (issue 9), the small budget that runs in `npm test`: the quick parity cases (core/engine/parity)
// on wasm against cpu, cpu against float64, a short trajectory, and proof that the suite catches the wasm kernel
// bugs the engine fixes (tfjs's own MaxPoolGrad and float32 Sum/Mean put back for one check). `npm run parity`
// runs every case on every backend. The webgpu part is in parity-webgpu.test.ts (webgpu state is per process).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendName } from '../../core/engine/backends/index.js';
import { BATCH_NORM_TRAIN } from '../../core/engine/kernels/batch-norm.js';
import { registerEngineKernels, stockKernel } from '../../core/engine/kernels/index.js';
import { formatTable, formatTrajectory, PARITY_BOUND, PARITY_CASES, runParity, runTrajectory, type ParityRow } from '../../core/engine/parity/index.js';

const rows: ParityRow[] = [];

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

afterAll(() => {
  if (rows.length) console.log(formatTable(rows));
});

const quick = PARITY_CASES.filter((c) => c.quick);

describe('parity: wasm against cpu, cpu against float64 (quick cases)', () => {
  it('covers every group: references, layers, blocks, activations, losses, tricks', () => {
    expect(new Set(quick.map((c) => c.group))).toEqual(new Set(['reference', 'layer', 'block', 'activation', 'loss', 'trick']));
  });

  for (const c of quick) {
    it(c.name, async () => {
      const got = await runParity({ backends: ['cpu', 'wasm'], cases: [c] });
      rows.push(...got);
      expect(got.map((r) => r.against)).toEqual(c.reference ? ['float64', 'cpu'] : ['cpu']);
      for (const r of got) {
        // A real comparison: the case has non-zero gradients, and every tensor is within the bound.
        expect(Math.max(...r.tensors.filter((t) => t.name.startsWith('grad')).map((t) => t.scale)), `${r.case}: gradients`).toBeGreaterThan(1e-4);
        for (const t of r.tensors) expect(t.error, `${r.case} on ${r.backend} vs ${r.against}: ${t.name}`).toBeLessThanOrEqual(PARITY_BOUND);
      }
    });
  }
});

describe('trajectory parity', () => {
  it('3 epochs on 48 digits: wasm per-epoch losses follow cpu within the tolerance', async () => {
    const report = await runTrajectory({ backends: ['cpu', 'wasm'], trainCount: 48, epochs: 3, batchSize: 16 });
    console.log(formatTrajectory(report));
    expect(report.losses.wasm).toHaveLength(3);
    expect(report.divergence[0]!.largest).toBeLessThanOrEqual(report.tolerance);
    expect(report.ok).toBe(true);
  });
});

describe('the suite catches what it guards against', () => {
  /** Swaps tfjs's own wasm kernels in for the engine's whenever wasm is made current; counts the swaps. */
  function stockSwapper(kernels: string[]): { swap: (backend: string) => void; swapped: () => number } {
    let swapped = 0;
    const swap = (backend: string) => {
      if (backend !== 'wasm') return;
      for (const k of kernels) {
        const stock = stockKernel(k, 'wasm')!;
        tf.unregisterKernel(k, 'wasm');
        tf.registerKernel(stock);
        stock.setupFunc?.(tf.backend());
        if (tf.getKernel(k, 'wasm')?.kernelFunc === stock.kernelFunc) swapped++;
      }
    };
    return { swap, swapped: () => swapped };
  }

  /**
   * Runs case `name` on wasm with tfjs's own wasm kernels `kernels` in place of the engine's, and without the engine's
   * kernels `removed` (their callers then take tfjs's route), then restores them.
   */
  async function withStockWasm(kernels: string[], name: string, removed: string[] = []): Promise<ParityRow> {
    const c = PARITY_CASES.find((x) => x.name === name)!;
    const stock = stockSwapper(kernels);
    const onBackend = (backend: BackendName) => {
      stock.swap(backend);
      if (backend === 'wasm') for (const k of removed) if (tf.getKernel(k, 'wasm')) tf.unregisterKernel(k, 'wasm');
    };
    try {
      const [row] = await runParity({ backends: ['wasm'], cases: [c], onBackend });
      expect(stock.swapped()).toBe(kernels.length);
      return row!;
    } finally {
      registerEngineKernels();
    }
  }

  it("tfjs's wasm MaxPoolGrad (no gradient to windows whose max ≤ FLT_MIN, ties to the last max) breaches the bound on real digits", async () => {
    const row = await withStockWasm(['MaxPoolGrad'], 'maxPool2d 2 valid (after a linear conv: ties, negative windows)');
    expect(row.error).toBeGreaterThan(PARITY_BOUND);
    expect(row.worst).toMatch(/^grad /);
    const [fixed] = await runParity({ backends: ['wasm'], cases: PARITY_CASES.filter((x) => x.name === row.case) });
    expect(fixed!.error).toBeLessThanOrEqual(PARITY_BOUND);
  });

  it("with tfjs's wasm MaxPoolGrad the trajectory leaves the tolerance", async () => {
    const stock = stockSwapper(['MaxPoolGrad']);
    try {
      const report = await runTrajectory({ backends: ['cpu', 'wasm'], trainCount: 48, epochs: 3, batchSize: 16, onBackend: stock.swap });
      expect(stock.swapped()).toBeGreaterThan(0);
      expect(report.ok).toBe(false);
      expect(report.divergence[0]!.largest).toBeGreaterThan(report.tolerance);
    } finally {
      registerEngineKernels();
    }
  });

  it("tfjs's float32 wasm Sum/Mean breach the bound around a training-mode batch norm run as tfjs's op chain", async () => {
    // The engine's fused batch norm (kernels/batch-norm.ts) sums in float64 itself: without it, tfjs-layers' moments
    // and FusedBatchNorm gradient run through Sum/Mean, tfjs's float32 ones breach, the engine's float64 ones do not.
    const row = await withStockWasm(['Sum', 'Mean'], 'batchNorm (training)', [BATCH_NORM_TRAIN]);
    expect(row.error).toBeGreaterThan(PARITY_BOUND);
    const chain = await withStockWasm([], 'batchNorm (training)', [BATCH_NORM_TRAIN]);
    expect(chain.error).toBeLessThanOrEqual(PARITY_BOUND);
    const [fused] = await runParity({ backends: ['wasm'], cases: PARITY_CASES.filter((x) => x.name === row.case) });
    expect(fused!.error).toBeLessThanOrEqual(PARITY_BOUND);
  });
});
