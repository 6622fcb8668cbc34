// MaxPoolGrad that sends each window's gradient to the FIRST maximum of the window (row-major), exactly as the cpu
// backend does, with the same float64 accumulation order, so its results are bit-identical to cpu's.
//
// tfjs 4.22's wasm MaxPoolGrad is wrong in two ways (see ../shared/FINDINGS.md): a window whose maximum is
// ≤ FLT_MIN gets no gradient at all (an all-negative window after a linear layer loses its gradient), and ties go
// to the LAST maximum (real MNIST digits have ties: saturated pixels). This version works directly on the wasm
// heap (no copies) in plain JavaScript.
import {
  backend_util,
  MaxPoolGrad,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
  type TypedArray,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { heapOffset, simdKernels } from './simd/index.js';

type Shape4 = [number, number, number, number];
type Conv2DInfo = backend_util.Conv2DInfo;

function poolInfo(input: TensorInfo, attrs: NamedAttrMap | undefined): Conv2DInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  return backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
}

function inputsOf(inputs: NamedTensorInfoMap): { dy: TensorInfo; input: TensorInfo } {
  const { dy, input } = inputs;
  if (!dy || !input) throw new Error(`${MaxPoolGrad}: needs inputs dy and input`);
  return { dy, input };
}

/**
 * The wasm kernel: our WebAssembly SIMD loop (./simd/assembly, the same semantics and float64 sums, so it is also
 * bit-identical to cpu) on tfjs-wasm's heap; the JavaScript loop below when the SIMD module is unavailable.
 */
export const maxPoolGradWasm: KernelFunc = (args) => {
  const wasm = args.backend as BackendWasm;
  const simd = simdKernels(wasm);
  if (!simd) return maxPoolGradWasmJs(args);
  const { dy, input } = inputsOf(args.inputs);
  const info = poolInfo(input, args.attrs);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error(`${MaxPoolGrad}: dilations must be 1`);
  const overlap = info.strideHeight < info.effectiveFilterHeight || info.strideWidth < info.effectiveFilterWidth;
  const dx = wasm.makeOutput(input.shape, 'float32');
  // float64 accumulators where windows overlap (2 float32 slots per element).
  const acc = overlap ? wasm.makeOutput([2 * input.shape.reduce((a, b) => a * b, 1)], 'float32') : null;
  try {
    simd.maxPoolGrad(
      heapOffset(wasm, input.dataId),
      heapOffset(wasm, dy.dataId),
      heapOffset(wasm, dx.dataId),
      acc ? heapOffset(wasm, acc.dataId) : 0,
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.strideHeight,
      info.strideWidth,
      info.effectiveFilterHeight,
      info.effectiveFilterWidth,
      info.padInfo.top,
      info.padInfo.left,
    );
  } finally {
    if (acc) wasm.disposeData(acc.dataId);
  }
  return dx;
};

/** MaxPool (forward) on wasm by our SIMD loop, with the cpu backend's semantics (see simd/assembly); else stock. */
export function makeMaxPoolWasm(stock: (backend: BackendWasm, inputs: { x: TensorInfo }, attrs: NamedAttrMap) => TensorInfo): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const x = inputs.x as TensorInfo;
    const simd = simdKernels(wasm);
    const info = poolInfo(x, attrs);
    if (!simd || x.dtype !== 'float32' || info.dilationHeight !== 1 || info.dilationWidth !== 1 || info.outShape.some((d) => d === 0)) {
      return stock(wasm, { x }, attrs as NamedAttrMap);
    }
    const out = wasm.makeOutput(info.outShape, 'float32');
    simd.maxPool(
      heapOffset(wasm, x.dataId),
      heapOffset(wasm, out.dataId),
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.strideHeight,
      info.strideWidth,
      info.effectiveFilterHeight,
      info.effectiveFilterWidth,
      info.padInfo.top,
      info.padInfo.left,
    );
    return out;
  };
}

/** The previous wasm kernel: the JavaScript loop of maxPoolGradInto on tfjs-wasm's heap. */
export const maxPoolGradWasmJs: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { dy, input } = inputsOf(inputs);
  const info = poolInfo(input, attrs);
  // Allocate first: growing the wasm heap detaches earlier views of it.
  const dx = wasm.makeOutput(input.shape, 'float32');
  maxPoolGradInto(wasm.typedArrayFromHeap(input), wasm.typedArrayFromHeap(dy), wasm.typedArrayFromHeap(dx) as Float32Array, info);
  return dx;
};

export const maxPoolGradCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as MathBackendCPU;
  const { dy, input } = inputsOf(inputs);
  const info = poolInfo(input, attrs);
  const dx = new Float32Array(input.shape.reduce((a, b) => a * b, 1));
  const values = (t: TensorInfo) => cpu.data.get(t.dataId)!.values as TypedArray;
  maxPoolGradInto(values(input), values(dy), dx, info);
  return cpu.makeTensorInfo(input.shape, 'float32', dx);
};

/**
 * dx = the gradient of maxPool(x) given dy, NHWC. For every window the first strict maximum (a NaN never wins; a
 * window of only NaN/−∞ sends nothing) receives dy; a pixel that is the maximum of several overlapping windows sums
 * their dy in float64 in the cpu backend's order (window row, then column, ascending) and is rounded once.
 */
export function maxPoolGradInto(x: ArrayLike<number>, dy: ArrayLike<number>, dx: Float32Array, info: Conv2DInfo): void {
  const { batchSize, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error(`${MaxPoolGrad}: dilations must be 1`);
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Windows overlap: a pixel may collect several gradients, summed in float64 as cpu does. Otherwise each pixel
  // gets at most one, written straight into dx.
  let acc: Float64Array | null = null;
  if (sh < fh || sw < fw) {
    if (scratch.length < dx.length) scratch = new Float64Array(dx.length);
    acc = scratch;
    acc.fill(0, 0, dx.length);
  } else {
    dx.fill(0);
  }
  const maxValue = new Float32Array(c);
  const maxAt = new Int32Array(c);
  let o = 0; // index into dy, NHWC order
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < oh; yr++) {
      const r0 = yr * sh - top;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(h, r0 + fh);
      for (let yc = 0; yc < ow; yc++) {
        const c0 = yc * sw - left;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(w, c0 + fw);
        maxValue.fill(-Infinity);
        maxAt.fill(-1);
        for (let r = rMin; r < rMax; r++) {
          for (let col = cMin; col < cMax; col++) {
            const base = ((b * h + r) * w + col) * c;
            for (let d = 0; d < c; d++) {
              const v = x[base + d]!;
              if (v > maxValue[d]!) {
                maxValue[d] = v;
                maxAt[d] = base + d;
              }
            }
          }
        }
        for (let d = 0; d < c; d++, o++) {
          const at = maxAt[d]!;
          if (at < 0) continue;
          if (acc) acc[at] = acc[at]! + dy[o]!;
          else dx[at] = 0 + dy[o]!;
        }
      }
    }
  }
  if (acc) for (let i = 0; i < dx.length; i++) dx[i] = acc[i]!;
}

/** Float64 accumulators for overlapping windows, kept between calls (the same shapes come every batch). */
let scratch = new Float64Array(0);
