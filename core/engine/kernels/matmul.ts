// BatchMatMul for wasm with a transposed operand: tfjs-wasm 4.22 runs `transposeA`/`transposeB` products in a plain
// loop instead of XNNPACK (the MLP's first-layer weight gradient xᵀ·dz took 23–31 ms of a 36 ms step at batch 256).
// Transposing the operand first (one Transpose kernel) and then multiplying without transposes through the same
// stock kernel runs the product in XNNPACK: the same float32 sums, ~10× faster on those shapes.
import { Transpose, type KernelFunc, type BatchMatMulAttrs, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { callKernel, type Backend } from './util.js';

type StockCall = (backend: Backend, inputs: { a: TensorInfo; b: TensorInfo }, attrs: NamedAttrMap) => TensorInfo;

function swapLast(t: TensorInfo): number[] {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return perm;
}

export function makeBatchMatMulWasm(stock: StockCall): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const be = backend as Backend;
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    let a = inputs.a as TensorInfo;
    let b = inputs.b as TensorInfo;
    if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return stock(be, { a, b }, attrs as NamedAttrMap);
    }
    const temps: TensorInfo[] = [];
    try {
      if (transposeA) temps.push((a = callKernel(Transpose, 'wasm', be, { x: a }, { perm: swapLast(a) })));
      if (transposeB) temps.push((b = callKernel(Transpose, 'wasm', be, { x: b }, { perm: swapLast(b) })));
      return stock(be, { a, b }, { transposeA: false, transposeB: false } as unknown as NamedAttrMap);
    } finally {
      for (const t of temps) be.disposeData(t.dataId);
    }
  };
}
