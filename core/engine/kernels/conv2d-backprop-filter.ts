// Conv2DBackpropFilter, the filter gradient of conv2d:
//
//   dW[fh, fw, ci, co] = Σ_{n, oh, ow} x[n, oh·sh + fh − top, ow·sw + fw − left, ci] · dy[n, oh, ow, co]
//
// wasm (tfjs 4.22 has none: CNN training throws): built from kernels wasm has, so the work runs in XNNPACK. Read
// the batch axis as the channel axis and the input channels as the batch: with x' = x as [Cin, H, W, N] and
// f' = dy as [OH, OW, N, Cout], the sum is a stride-1 conv2d of x' with f' whose dilation is the forward stride,
// padded by (top, left) so that its output is exactly [Cin, FH, FW, Cout]. Rows and columns the forward pass never
// read (the bottom/right remainder of a strided 'valid' conv) are cropped off first.
//
// cpu (the stock kernel reads every element through TensorBuffer.get: 1–4 s per call on the small CNN's layers at
// batch 64): the same sums in the same order with the same float64 accumulators as the stock kernel, so the
// results are bit-identical, but with flat indices and four output channels per pass: ~200–270× faster. (The conv2d
// route above is 5–18× slower than this on cpu, whose Conv2D accumulates in float32 memory, and not bit-identical.)
import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Slice,
  Transpose,
  type Conv2DBackpropFilterAttrs,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
  type TypedArray,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callKernel, type Backend } from './util.js';
import { heapOffset, simdKernels } from './simd/index.js';

type Shape4 = [number, number, number, number];

function convInfoOf(x: TensorInfo, attrs: NamedAttrMap | undefined): backend_util.Conv2DInfo {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  return backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
}

function inputsOf(inputs: NamedTensorInfoMap): { x: TensorInfo; dy: TensorInfo } {
  const { x, dy } = inputs;
  if (!x || !dy) throw new Error(`${Conv2DBackpropFilter}: needs inputs x and dy`);
  return { x, dy };
}

/**
 * The wasm kernel: our WebAssembly SIMD loop (./simd/assembly: float32 sums along each output row, added into
 * float64 accumulators across rows and images, so closer to cpu's float64 sums than XNNPACK's float32 GEMM) for
 * NHWC with outChannels a multiple of 4; otherwise, or without the SIMD module, the XNNPACK route below.
 */
export function makeConv2DBackpropFilterWasm(): KernelFunc {
  const viaXnn = makeConv2DBackpropFilter('wasm');
  return (args) => {
    const wasm = args.backend as BackendWasm;
    const simd = simdKernels(wasm);
    const { x, dy } = inputsOf(args.inputs);
    const info = convInfoOf(x, args.attrs);
    if (!simd || info.dataFormat !== 'channelsLast' || info.outChannels % 4 !== 0 || x.dtype !== 'float32') return viaXnn(args);
    const dw = wasm.makeOutput(info.filterShape, 'float32');
    const acc = wasm.makeOutput([2 * info.filterShape.reduce((a, b) => a * b, 1)], 'float32');
    try {
      simd.filterGrad(
        heapOffset(wasm, x.dataId),
        heapOffset(wasm, dy.dataId),
        heapOffset(wasm, dw.dataId),
        heapOffset(wasm, acc.dataId),
        info.batchSize,
        info.inHeight,
        info.inWidth,
        info.inChannels,
        info.outHeight,
        info.outWidth,
        info.outChannels,
        info.strideHeight,
        info.strideWidth,
        info.filterHeight,
        info.filterWidth,
        info.padInfo.top,
        info.padInfo.left,
      );
    } finally {
      wasm.disposeData(acc.dataId);
    }
    return dw;
  };
}

/** The XNNPACK route (any backend with Transpose, Slice and a dilated, explicitly padded Conv2D would do). */
export function makeConv2DBackpropFilter(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => viaConv2D(backendName, inputs, backend as Backend, attrs);
}

function viaConv2D(backendName: string, inputs: NamedTensorInfoMap, backend: Backend, attrs: NamedAttrMap | undefined): TensorInfo {
  const { x, dy } = inputsOf(inputs);
  const info = convInfoOf(x, attrs);
  const { filterShape } = info;
  const channelsLast = info.dataFormat === 'channelsLast';
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  // Padding after the input that makes the dilated conv's output exactly fh × fw (negative: rows never read).
  const bottom = fh + (info.outHeight - 1) * sh - info.inHeight - top;
  const right = fw + (info.outWidth - 1) * sw - info.inWidth - left;

  const run = (name: string, ins: NamedTensorInfoMap, at: NamedAttrMap) => callKernel(name, backendName, backend, ins, at);
  const temps: TensorInfo[] = [];
  try {
    // [Cin, H, W, N]
    let xt = run(Transpose, { x }, { perm: channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0] });
    temps.push(xt);
    if (bottom < 0 || right < 0) {
      const [cin, h, w, n] = xt.shape as Shape4;
      xt = run(Slice, { x: xt }, { begin: [0, 0, 0, 0], size: [cin, h + Math.min(bottom, 0), w + Math.min(right, 0), n] });
      temps.push(xt);
    }
    // [OH, OW, N, Cout]
    const dyt = run(Transpose, { x: dy }, { perm: channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1] });
    temps.push(dyt);
    // [Cin, FH, FW, Cout]
    const dwt = run(
      Conv2D,
      { x: xt, filter: dyt },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [top, Math.max(bottom, 0)],
          [left, Math.max(right, 0)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [sh, sw],
      } as unknown as NamedAttrMap,
    );
    temps.push(dwt);
    const [cin, oh, ow, cout] = dwt.shape as Shape4;
    if (oh !== fh || ow !== fw || cin !== info.inChannels || cout !== info.outChannels) {
      throw new Error(`${Conv2DBackpropFilter}: internal shape mismatch [${dwt.shape.join(', ')}] vs [${filterShape.join(', ')}]`);
    }
    // [FH, FW, Cin, Cout]
    return run(Transpose, { x: dwt }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * The cpu kernel for NHWC; NCHW (which the engine never uses) goes to `fallback`, the stock kernel. The same sums
 * as the stock kernel, in the same order (batch, output row, output column) into float64 accumulators.
 */
export function makeConv2DBackpropFilterCpu(fallback: () => KernelFunc | null): KernelFunc {
  return (args) => {
    const cpu = args.backend as MathBackendCPU;
    const { x, dy } = inputsOf(args.inputs);
    const info = convInfoOf(x, args.attrs);
    if (info.dataFormat !== 'channelsLast') {
      const stock = fallback();
      if (!stock) throw new Error(`${Conv2DBackpropFilter}: no cpu kernel for ${info.dataFormat}`);
      return stock(args);
    }
    const values = (t: TensorInfo) => cpu.data.get(t.dataId)!.values as TypedArray;
    const dw = new Float32Array(info.filterShape.reduce((a, b) => a * b, 1));
    filterGradInto(values(x), values(dy), dw, info);
    return cpu.makeTensorInfo(info.filterShape, 'float32', dw);
  };
}

export function filterGradInto(x: ArrayLike<number>, dy: ArrayLike<number>, dw: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outHeight: oh, outWidth: ow, outChannels: cout } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xStep = sw * cin;
  for (let r = 0; r < fh; r++) {
    // Output rows whose input row oh·sh + r − top lies inside the image.
    const yrMin = Math.max(0, Math.ceil((top - r) / sh));
    const yrMax = Math.min(oh, Math.floor((h - 1 + top - r) / sh) + 1);
    for (let c = 0; c < fw; c++) {
      const ycMin = Math.max(0, Math.ceil((left - c) / sw));
      const ycMax = Math.min(ow, Math.floor((w - 1 + left - c) / sw) + 1);
      for (let ci = 0; ci < cin; ci++) {
        const o = ((r * fw + c) * cin + ci) * cout;
        let co = 0;
        for (; co + 4 <= cout; co += 4) {
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let b = 0; b < n; b++) {
            for (let yr = yrMin; yr < yrMax; yr++) {
              let xi = ((b * h + yr * sh + r - top) * w + ycMin * sw + c - left) * cin + ci;
              let di = ((b * oh + yr) * ow + ycMin) * cout + co;
              for (let yc = ycMin; yc < ycMax; yc++, xi += xStep, di += cout) {
                const xv = x[xi]!;
                s0 += xv * dy[di]!;
                s1 += xv * dy[di + 1]!;
                s2 += xv * dy[di + 2]!;
                s3 += xv * dy[di + 3]!;
              }
            }
          }
          dw[o + co] = s0;
          dw[o + co + 1] = s1;
          dw[o + co + 2] = s2;
          dw[o + co + 3] = s3;
        }
        for (; co < cout; co++) {
          let s = 0;
          for (let b = 0; b < n; b++) {
            for (let yr = yrMin; yr < yrMax; yr++) {
              let xi = ((b * h + yr * sh + r - top) * w + ycMin * sw + c - left) * cin + ci;
              let di = ((b * oh + yr) * ow + ycMin) * cout + co;
              for (let yc = ycMin; yc < ycMax; yc++, xi += xStep, di += cout) s += x[xi]! * dy[di]!;
            }
          }
          dw[o + co] = s;
        }
      }
    }
  }
}
