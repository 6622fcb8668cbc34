// BatchMatMul and _FusedMatMul for wasm: our WebAssembly SIMD matrix product (simd/assembly/gemm.ts) for float32,
// every combination of transposed operands, and the fused bias + ReLU of dense layers.
//
// tfjs-wasm 4.22 hands plain products to XNNPACK, which repacks its operand on every call (4–5.5 ns per float), and
// runs transposed products (`transposeA`/`transposeB`, i.e. every weight gradient and input gradient of a dense
// layer) in a plain loop (the MLP's first-layer weight gradient xᵀ·dz took 23–31 ms of a 36 ms step at batch 256).
// Ours reads A in place through strides (A or Aᵀ alike), packs only B (K×N, transposed when it comes transposed),
// and runs a 4×8 register-tile kernel; with relaxed SIMD its multiply-add is an FMA. Batches broadcast where one side
// has a batch of 1 (dense layers call it with [1, M, K]); other batch shapes, dtypes and activations go to the
// previous route: transposes first (one Transpose kernel), then tfjs's own kernel.
import {
  backend_util,
  Transpose,
  util,
  type BatchMatMulAttrs,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
  type _FusedMatMulAttrs,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from './simd/index.js';
import { callKernel, type Backend } from './util.js';

type StockCall = (backend: Backend, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap) => TensorInfo;

function swapLast(t: TensorInfo): number[] {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return perm;
}

/** Transposed operands first, then tfjs's kernel without transposes (XNNPACK): the route before our GEMM. */
function viaTranspose(be: Backend, stock: StockCall, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): TensorInfo {
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  let a = inputs.a!;
  let b = inputs.b!;
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') return stock(be, inputs, attrs);
  const temps: TensorInfo[] = [];
  try {
    if (transposeA) temps.push((a = callKernel(Transpose, 'wasm', be, { x: a }, { perm: swapLast(a) })));
    if (transposeB) temps.push((b = callKernel(Transpose, 'wasm', be, { x: b }, { perm: swapLast(b) })));
    return stock(be, { ...inputs, a, b }, { ...attrs, transposeA: false, transposeB: false } as unknown as NamedAttrMap);
  } finally {
    for (const t of temps) be.disposeData(t.dataId);
  }
}

/**
 * C = op(A)·op(B) (+ bias per column, then ReLU when act is 1) through our SIMD GEMM, or null where it does not
 * apply (not float32, batch shapes that need more than one side broadcast, empty).
 */
export function simdMatMul(
  wasm: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias: TensorInfo | null,
  act: 0 | 1,
): TensorInfo | null {
  const simd = simdKernels(wasm);
  if (!simd || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb || m * n * k === 0) return null;
  if (bias && (bias.dtype !== 'float32' || util.sizeFromShape(bias.shape) !== n || bias.shape[bias.shape.length - 1] !== n)) return null;
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  let outBatch: number[];
  try {
    outBatch = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return null;
  }
  const batch = util.sizeFromShape(outBatch);
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null;
  const nPad = (n + 7) & ~7;
  const out = wasm.makeOutput([...outBatch, m, n], 'float32');
  // Packed B (one batch at a time) and 16 floats for the kernel's edge strips.
  const scratch = wasm.makeOutput([k * nPad + 16], 'float32');
  try {
    const pa = heapOffset(wasm, a.dataId);
    const pb = heapOffset(wasm, b.dataId);
    const pc = heapOffset(wasm, out.dataId);
    const pp = heapOffset(wasm, scratch.dataId);
    const pBias = bias ? heapOffset(wasm, bias.dataId) : 0;
    const [rs, ks] = transposeA ? [1, m] : [k, 1];
    for (let i = 0; i < batch; i++) {
      if (i === 0 || batchB > 1) simd.gemmPackB(pb + 4 * (batchB > 1 ? i : 0) * k * n, pp + 64, k, n, transposeB ? 1 : 0);
      simd.gemm(pa + 4 * (batchA > 1 ? i : 0) * m * k, rs, ks, pp + 64, pc + 4 * i * m * n, m, k, n, pBias, act, pp);
    }
  } finally {
    wasm.disposeData(scratch.dataId);
  }
  return out;
}

export function makeBatchMatMulWasm(stock: StockCall): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    return simdMatMul(wasm, a, b, transposeA, transposeB, null, 0) ?? viaTranspose(wasm, stock, { a, b }, attrs as NamedAttrMap);
  };
}

export function makeFusedMatMulWasm(stock: StockCall): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const { transposeA, transposeB, activation } = attrs as unknown as _FusedMatMulAttrs;
    const act = activation === 'relu' ? 1 : activation === 'linear' || activation === undefined ? 0 : null;
    const out = act === null || preluActivationWeights ? null : simdMatMul(wasm, a!, b!, transposeA, transposeB, bias ?? null, act);
    return out ?? stock(wasm, inputs as Record<string, TensorInfo>, attrs as NamedAttrMap);
  };
}
