// Sum and Mean for wasm with float64 accumulators, as the cpu backend computes them.
//
// tfjs 4.22's wasm Sum and Mean add in a float32 accumulator, one element after another (after transposing the
// reduced axes innermost). Over the thousands of terms of a conv bias gradient (batch × height × width) or of
// batch norm's moments that loses up to ~1e-5 of the result's magnitude where the terms cancel: the parity suite
// (core/engine/parity) measured 1.2e-5 on a conv bias gradient before global average pooling and 2.5e-5 on the
// gradients around a training-mode batch norm, against ≤ 1e-6 elsewhere. The cpu backend sums in float64 and
// rounds once, and so do these (Mean: the float64 sum divided by the count, then rounded), reading the wasm heap
// directly (no transpose).
import {
  backend_util,
  util,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type SumAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from './simd/index.js';

/**
 * Reduces `x` (row-major, `shape`) over `axes` into `out` (the kept axes in order), accumulating in float64 and
 * rounding once; for `mean` the float64 sum is divided by the count before that rounding.
 */
export function reduceSumInto(x: Float32Array, shape: readonly number[], axes: readonly number[], out: Float32Array, mean: boolean): void {
  const reduced = new Set(axes);
  // Merge neighbouring axes of the same kind: blocks alternate kept/reduced.
  const blocks: Array<{ size: number; reduced: boolean }> = [];
  for (let d = 0; d < shape.length; d++) {
    const r = reduced.has(d);
    const last = blocks[blocks.length - 1];
    if (last && last.reduced === r) last.size *= shape[d]!;
    else blocks.push({ size: shape[d]!, reduced: r });
  }
  const n = blocks.filter((b) => b.reduced).reduce((a, b) => a * b.size, 1);
  const scale = mean ? 1 / n : 1;
  const first = blocks[0];
  const second = blocks[1];
  if (!first || !blocks.some((b) => b.reduced)) {
    for (let i = 0; i < out.length; i++) out[i] = x[i]!;
  } else if (blocks.length === 1) {
    out[0] = (mean ? sumRun(x, 0, first.size, 1) / n : sumRun(x, 0, first.size, 1));
  } else if (blocks.length === 2 && second!.reduced) {
    // [kept K, reduced R]: contiguous rows (softmax sums, the innermost axes).
    const r = second!.size;
    for (let k = 0; k < first.size; k++) out[k] = mean ? sumRun(x, k * r, r, 1) / n : sumRun(x, k * r, r, 1);
  } else if (blocks.length === 2) {
    // [reduced R, kept K]: bias gradients (batch, height, width | channels): one strided run per channel.
    const k = second!.size;
    for (let c = 0; c < k; c++) out[c] = mean ? sumRun(x, c, first.size, k) / n : sumRun(x, c, first.size, k);
  } else if (blocks.length === 3 && second!.reduced) {
    // [kept K1, reduced R, kept K2]: global average pooling (batch | height, width | channels).
    const r = second!.size;
    const k2 = blocks[2]!.size;
    for (let k1 = 0, o = 0; k1 < first.size; k1++) {
      for (let c = 0; c < k2; c++, o++) out[o] = mean ? sumRun(x, k1 * r * k2 + c, r, k2) / n : sumRun(x, k1 * r * k2 + c, r, k2);
    }
  } else {
    reduceGeneral(x, blocks, out, scale);
  }
}

/** Σ x[from + i·stride] for i < count, in float64 with four partial sums. */
function sumRun(x: Float32Array, from: number, count: number, stride: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let at = from;
  let i = 0;
  const step = 4 * stride;
  for (; i + 4 <= count; i += 4, at += step) {
    s0 += x[at]!;
    s1 += x[at + stride]!;
    s2 += x[at + 2 * stride]!;
    s3 += x[at + 3 * stride]!;
  }
  for (; i < count; i++, at += stride) s0 += x[at]!;
  return s0 + s1 + (s2 + s3);
}

/** Any other pattern: walk x in memory order with an odometer over the blocks into float64 accumulators. */
function reduceGeneral(x: Float32Array, blocks: ReadonlyArray<{ size: number; reduced: boolean }>, out: Float32Array, scale: number): void {
  const acc = new Float64Array(out.length);
  const sizes = blocks.map((b) => b.size);
  const outStride = new Array<number>(blocks.length).fill(0);
  for (let b = blocks.length - 1, s = 1; b >= 0; b--) {
    if (!blocks[b]!.reduced) {
      outStride[b] = s;
      s *= blocks[b]!.size;
    }
  }
  const idx = new Array<number>(blocks.length).fill(0);
  const last = blocks.length - 1;
  const innerSize = sizes[last]!;
  const innerStride = outStride[last]!;
  let o = 0;
  for (let at = 0; at < x.length; ) {
    for (let j = 0; j < innerSize; j++, at++) acc[o + j * innerStride] = acc[o + j * innerStride]! + x[at]!;
    for (let b = last - 1; b >= 0; b--) {
      idx[b]! += 1;
      o += outStride[b]!;
      if (idx[b]! < sizes[b]!) break;
      o -= outStride[b]! * sizes[b]!;
      idx[b] = 0;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i]! * scale;
}

/**
 * The wasm kernel for Sum (`mean` false) or Mean (leading axes: our SIMD loop unless `useSimd` is false, the same
 * float64 sums; other patterns: reduceSumInto in JavaScript); other dtypes (int32 and bool sums) go to `fallback`, tfjs's own
 * kernel, whose setup (binding its wasm function) never ran when ours was registered before the backend started.
 */
export function makeReduceSumWasm(mean: boolean, fallback: () => KernelConfig | null, useSimd = true): KernelFunc {
  const setUp = new WeakSet<KernelBackend>();
  return (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as KernelBackend;
    const x = inputs.x as TensorInfo;
    if (x.dtype !== 'float32' || util.sizeFromShape(x.shape) === 0) {
      const stock = fallback();
      if (!stock) throw new Error(`${mean ? 'Mean' : 'Sum'}: no stock wasm kernel for ${x.dtype}`);
      if (!setUp.has(backend)) {
        stock.setupFunc?.(backend);
        setUp.add(backend);
      }
      return stock.kernelFunc(args);
    }
    const wasm = backend as BackendWasm;
    const { axis, keepDims } = attrs as unknown as SumAttrs & NamedAttrMap;
    const axes = [...new Set(util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
    const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    // Allocate first: growing the wasm heap detaches earlier views of it.
    const out = wasm.makeOutput(keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape, 'float32');
    // Leading axes reduced, trailing kept (bias gradients): our SIMD loop, float64 sums per column.
    const simd = useSimd ? simdKernels(wasm) : null;
    if (simd && axes.length < x.shape.length && axes.every((a, i) => a === i)) {
      const rows = x.shape.slice(0, axes.length).reduce((p, q) => p * q, 1);
      const k = util.sizeFromShape(x.shape) / rows;
      simd.sumColumns(heapOffset(wasm, x.dataId), heapOffset(wasm, out.dataId), rows, k, mean ? rows : 1);
      return out;
    }
    reduceSumInto(wasm.typedArrayFromHeap(x) as Float32Array, x.shape, axes, wasm.typedArrayFromHeap(out) as Float32Array, mean);
    return out;
  };
}
