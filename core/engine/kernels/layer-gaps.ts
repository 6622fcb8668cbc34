// Gradient kernels tfjs-backend-wasm 4.22 does not register, which the newer layer types need (issue 20):
//   UnsortedSegmentSum: the embedding's gradient (GatherV2's gradient sums dy rows per id);
//   DepthwiseConv2dNativeBackpropFilter / -Input: depthwise and separable convolutions.
// Plain JavaScript on tfjs-wasm's heap, with the cpu backend's loops and float64 sums in its order, so results
// are bit-identical to cpu's (tests/engine/kernels-gaps.test.ts, `npm run parity`). On cpu the engine adds
//   UnsortedSegmentSum: the stock one makes V masked passes over the gradient (O(V·N·T·D), minutes for a
//   5,000-word vocabulary); this one makes one pass, with the same sums;
//   ResizeNearestNeighborGrad: the stock one reads dy at the images' batch offset, so every sample after the first
//   gets another sample's gradient (up-sampling trained wrong on cpu; found by `npm run parity`). Parity keeps this
//   fix in its cpu reference (CPU_FIXES): the wasm and webgpu kernels it is compared with are tfjs's own.
import {
  backend_util,
  reshape,
  sum,
  Tile,
  type GradConfig,
  type Tensor,
  type TileAttrs,
  ResizeNearestNeighborGrad,
  type ResizeNearestNeighborGradAttrs,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  UnsortedSegmentSum,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type TypedArray,
  type UnsortedSegmentSumAttrs,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

type Shape4 = [number, number, number, number];

/** out[s, :] = Σ x[r, :] over rows r with ids[r] = s, in row order, in float64 (ids outside [0, segments) dropped, as cpu's masks do). */
export function segmentSumInto(x: ArrayLike<number>, ids: ArrayLike<number>, segments: number, out: Float32Array): void {
  const rows = ids.length;
  const width = rows === 0 ? 0 : x.length / rows;
  const acc = new Float64Array(segments * width);
  for (let r = 0; r < rows; r++) {
    const s = ids[r]!;
    if (s < 0 || s >= segments) continue;
    const from = r * width;
    const to = s * width;
    for (let j = 0; j < width; j++) acc[to + j]! += x[from + j]!;
  }
  out.set(acc);
}

function segmentArgs(inputs: Record<string, TensorInfo | undefined>, attrs: unknown): { x: TensorInfo; ids: TensorInfo; segments: number; outShape: number[] } {
  const { x, segmentIds } = inputs;
  if (!x || !segmentIds) throw new Error(`${UnsortedSegmentSum}: needs inputs x and segmentIds`);
  const segments = (attrs as UnsortedSegmentSumAttrs).numSegments;
  // Segment ids cover the leading axes of x; each segment sums the trailing block.
  return { x, ids: segmentIds, segments, outShape: [segments, ...x.shape.slice(segmentIds.shape.length)] };
}

export const unsortedSegmentSumWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { x, ids, segments, outShape } = segmentArgs(inputs, attrs);
  // Allocate first: growing the wasm heap detaches earlier views of it.
  const out = wasm.makeOutput(outShape, 'float32');
  segmentSumInto(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(ids), segments, wasm.typedArrayFromHeap(out) as Float32Array);
  return out;
};

export const unsortedSegmentSumCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as MathBackendCPU;
  const { x, ids, segments, outShape } = segmentArgs(inputs, attrs);
  const values = (t: TensorInfo) => cpu.data.get(t.dataId)!.values as TypedArray;
  const out = new Float32Array(outShape.reduce((a, b) => a * b, 1));
  segmentSumInto(values(x), values(ids), segments, out);
  return cpu.makeTensorInfo(outShape, 'float32', out);
};

/** dW of a depthwise convolution (NHWC, filter [fh, fw, C, m]): the cpu backend's loop and summation order. */
export function depthwiseFilterGradInto(x: ArrayLike<number>, dy: ArrayLike<number>, dw: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight: sh, strideWidth: sw, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const mult = outChannels / inChannels;
  for (let wr = 0; wr < filterHeight; wr++) {
    const yrMin = Math.max(0, Math.ceil((top - wr) / sh));
    const yrMax = Math.min(outHeight, (inHeight + top - wr) / sh);
    for (let wc = 0; wc < filterWidth; wc++) {
      const ycMin = Math.max(0, Math.ceil((left - wc) / sw));
      const ycMax = Math.min(outWidth, (inWidth + left - wc) / sw);
      for (let d2 = 0; d2 < outChannels; d2++) {
        const d1 = Math.trunc(d2 / mult);
        const dm = d2 % mult;
        let sum = 0;
        for (let b = 0; b < batchSize; b++) {
          for (let yr = yrMin; yr < yrMax; yr++) {
            const xr = wr + yr * sh - top;
            for (let yc = ycMin; yc < ycMax; yc++) {
              const xc = wc + yc * sw - left;
              sum += x[((b * inHeight + xr) * inWidth + xc) * inChannels + d1]! * dy[((b * outHeight + yr) * outWidth + yc) * outChannels + d2]!;
            }
          }
        }
        dw[((wr * filterWidth + wc) * inChannels + d1) * mult + dm] = sum;
      }
    }
  }
}

/** dX of a depthwise convolution: the cpu backend's loop and summation order. */
export function depthwiseInputGradInto(dy: ArrayLike<number>, filter: ArrayLike<number>, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight: sh, strideWidth: sw, filterHeight, filterWidth } = info;
  const top = filterHeight - 1 - info.padInfo.top;
  const left = filterWidth - 1 - info.padInfo.left;
  const mult = outChannels / inChannels;
  for (let b = 0; b < batchSize; b++) {
    for (let d1 = 0; d1 < inChannels; d1++) {
      for (let xr = 0; xr < inHeight; xr++) {
        const xrCorner = xr - top;
        const yrMin = Math.max(0, Math.ceil(xrCorner / sh));
        const yrMax = Math.min(outHeight, (filterHeight + xrCorner) / sh);
        for (let xc = 0; xc < inWidth; xc++) {
          const xcCorner = xc - left;
          const ycMin = Math.max(0, Math.ceil(xcCorner / sw));
          const ycMax = Math.min(outWidth, (filterWidth + xcCorner) / sw);
          let sum = 0;
          for (let yr = yrMin; yr < yrMax; yr++) {
            const wr = yr * sh - xrCorner;
            for (let yc = ycMin; yc < ycMax; yc++) {
              const wc = yc * sw - xcCorner;
              const dyAt = ((b * outHeight + yr) * outWidth + yc) * outChannels;
              const fAt = (((filterHeight - 1 - wr) * filterWidth + (filterWidth - 1 - wc)) * inChannels + d1) * mult;
              for (let dm = 0; dm < mult; dm++) sum += dy[dyAt + d1 * mult + dm]! * filter[fAt + dm]!;
            }
          }
          dx[((b * inHeight + xr) * inWidth + xc) * inChannels + d1] = sum;
        }
      }
    }
  }
}

export const depthwiseFilterGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, dilations, pad, dimRoundingMode, true);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error(`${DepthwiseConv2dNativeBackpropFilter}: dilations must be 1`);
  const dw = wasm.makeOutput(info.filterShape, 'float32');
  depthwiseFilterGradInto(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(dy), wasm.typedArrayFromHeap(dw) as Float32Array, info);
  return dw;
};

export const depthwiseInputGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, dilations, pad, dimRoundingMode, true);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error(`${DepthwiseConv2dNativeBackpropInput}: dilations must be 1`);
  const dx = wasm.makeOutput(info.inShape, 'float32');
  depthwiseInputGradInto(wasm.typedArrayFromHeap(dy), wasm.typedArrayFromHeap(filter), wasm.typedArrayFromHeap(dx) as Float32Array, info);
  return dx;
};

/** dx of a nearest-neighbour resize (NHWC): each dy pixel goes to the source pixel the forward pass copied (its mapping). */
export function resizeNearestGradInto(dy: ArrayLike<number>, dx: Float32Array, dyShape: number[], dxShape: number[], attrs: ResizeNearestNeighborGradAttrs): void {
  const [batch, inH, inW, depth] = dxShape as Shape4;
  const [, outH, outW] = dyShape as Shape4;
  const { alignCorners, halfPixelCenters } = attrs;
  const ratio = (inSize: number, outSize: number) => (alignCorners && outSize > 1 ? inSize - 1 : inSize) / (alignCorners && outSize > 1 ? outSize - 1 : outSize);
  const source = (i: number, r: number, size: number) => {
    const frac = halfPixelCenters ? r * (i + 0.5) : r * i;
    const nearest = Math.min(size - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    return halfPixelCenters ? Math.max(0, nearest) : nearest;
  };
  const rows = Array.from({ length: outH }, (_, y) => source(y, ratio(inH, outH), inH));
  const cols = Array.from({ length: outW }, (_, x) => source(x, ratio(inW, outW), inW));
  const acc = new Float64Array(dx.length);
  for (let b = 0; b < batch; b++)
    for (let y = 0; y < outH; y++)
      for (let x = 0; x < outW; x++) {
        const from = ((b * outH + y) * outW + x) * depth;
        const to = ((b * inH + rows[y]!) * inW + cols[x]!) * depth;
        for (let d = 0; d < depth; d++) acc[to + d]! += dy[from + d]!;
      }
  dx.set(acc);
}

export const resizeNearestGradCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as MathBackendCPU;
  const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo };
  const dx = new Float32Array(images.shape.reduce((a, b) => a * b, 1));
  resizeNearestGradInto(cpu.data.get(dy.dataId)!.values as TypedArray, dx, dy.shape, images.shape, attrs as unknown as ResizeNearestNeighborGradAttrs);
  return cpu.makeTensorInfo(images.shape, 'float32', dx);
};

/**
 * Tile's gradient as a reshape and sum per tiled axis: dy [.., r·d, ..] viewed as [.., r, d, ..] and summed over r. tfjs's own adds one slice of dy per repetition (O(∏ reps) kernels): tfjs-layers' LayerNormalization
 * tiles its scale and offset over batch × steps, so a layer norm on a [256, 64, D] sequence cost 16,384 slices and
 * adds per step (a small transformer ran at 450 ms per batch of 32, 40% of it there). Registered by ./index.ts.
 */
export const tileGradConfig: GradConfig = {
  kernelName: Tile,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as Tensor[];
    const { reps } = attrs as unknown as TileAttrs;
    return {
      // One axis at a time (the view stays within rank + 1: webgpu reduces at most rank 6): [.., r·d, ..] → [.., r, d, ..], summed over r.
      x: () => {
        let g = dy as Tensor;
        x!.shape.forEach((d, axis) => {
          if (reps[axis]! === 1) return;
          g = sum(reshape(g, [...g.shape.slice(0, axis), reps[axis]!, d, ...g.shape.slice(axis + 1)]), axis);
        });
        return g;
      },
    };
  },
};

/** cpu kernels whose stock version is wrong: parity's cpu reference keeps the engine's (run.ts withStockCpuKernels). */
export const CPU_FIXES: ReadonlySet<string> = new Set([ResizeNearestNeighborGrad]);

/** Registered by ./index.ts with the engine's other kernels. */
export const LAYER_GAP_KERNELS: ReadonlyArray<KernelConfig> = [
  { kernelName: UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSumWasm },
  { kernelName: UnsortedSegmentSum, backendName: 'cpu', kernelFunc: unsortedSegmentSumCpu },
  { kernelName: DepthwiseConv2dNativeBackpropFilter, backendName: 'wasm', kernelFunc: depthwiseFilterGradWasm },
  { kernelName: DepthwiseConv2dNativeBackpropInput, backendName: 'wasm', kernelFunc: depthwiseInputGradWasm },
  { kernelName: ResizeNearestNeighborGrad, backendName: 'cpu', kernelFunc: resizeNearestGradCpu },
];
