// Conv2D and FusedConv2D (forward) for wasm: our WebAssembly SIMD direct convolution (./simd/assembly) for NHWC
// float32 with no dilation and outChannels a multiple of 4 (kernels.ts conv2d) or exactly 1 (conv-dot.ts: the first
// layer's input gradient, which tfjs's fused conv2d computes in training): the small CNNs' convolutions and the
// input-gradient conv of conv2d-backprop-input.ts. On those shapes XNNPACK (tfjs-wasm's route) spends much of its
// time setting up (repacking the filter, which changes every step, and building its indirection buffer); ours reads
// x and the filter in place. float32 sums over the taps (error ~1e-7 against cpu). FusedConv2D adds the bias and
// applies ReLU in the same pass (linear and relu activations; tfjs runs it in inference, and in training wherever a
// convolution's activation is linear, e.g. before batch norm). Everything else goes to tfjs's own kernel.
import {
  backend_util,
  util,
  type Conv2DAttrs,
  type FusedConv2DAttrs,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from './simd/index.js';
import type { Backend } from './util.js';

type Shape4 = [number, number, number, number];
type StockCall = (backend: Backend, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap) => TensorInfo;

/** Runs our SIMD convolution (+ bias, + ReLU when act is 1), or returns null where it does not apply. */
function simdConv(wasm: BackendWasm, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs, bias: TensorInfo | null, act: 0 | 1): TensorInfo | null {
  const simd = simdKernels(wasm);
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filter.shape as Shape4,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  const cout = info.outChannels;
  if (
    !simd ||
    info.dataFormat !== 'channelsLast' ||
    info.dilationHeight !== 1 ||
    info.dilationWidth !== 1 ||
    (cout % 4 !== 0 && cout !== 1) ||
    x.dtype !== 'float32' ||
    filter.dtype !== 'float32' ||
    (bias && (bias.dtype !== 'float32' || util.sizeFromShape(bias.shape) !== cout || bias.shape.length > 1)) ||
    util.sizeFromShape(info.outShape) === 0
  ) {
    return null;
  }
  const out = wasm.makeOutput(info.outShape, 'float32');
  const args = [
    heapOffset(wasm, x.dataId),
    heapOffset(wasm, filter.dataId),
    heapOffset(wasm, out.dataId),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
  ] as const;
  const tail = [
    info.strideHeight,
    info.strideWidth,
    info.filterHeight,
    info.filterWidth,
    info.padInfo.top,
    info.padInfo.left,
    bias ? heapOffset(wasm, bias.dataId) : 0,
    act,
  ] as const;
  if (cout === 1) simd.conv2dDot(...args, ...tail);
  else simd.conv2d(...args, cout, ...tail);
  return out;
}

export function makeConv2DWasm(stock: StockCall): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const x = inputs.x as TensorInfo;
    const filter = inputs.filter as TensorInfo;
    return simdConv(wasm, x, filter, attrs as unknown as Conv2DAttrs, null, 0) ?? stock(wasm, { x, filter }, attrs as NamedAttrMap);
  };
}

export function makeFusedConv2DWasm(stock: StockCall): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const { activation } = attrs as unknown as FusedConv2DAttrs;
    const act = activation === 'relu' ? 1 : activation === 'linear' || activation === undefined ? 0 : null;
    const out = act === null || preluActivationWeights ? null : simdConv(wasm, x!, filter!, attrs as unknown as Conv2DAttrs, bias ?? null, act);
    return out ?? stock(wasm, inputs as Record<string, TensorInfo>, attrs as NamedAttrMap);
  };
}
