// Conv2D (forward) for wasm: our WebAssembly SIMD direct convolution (./simd/assembly) for NHWC float32 with
// outChannels a multiple of 4 and no dilation: the small CNNs' convolutions and the input-gradient conv of
// conv2d-backprop-input.ts. On those shapes XNNPACK (tfjs-wasm's route) spends much of its time setting up
// (repacking the filter, which changes every step, and building its indirection buffer); ours reads x and the filter
// in place. float32 sums over the taps in (row, column, channel) order, as XNNPACK's (error ~1e-7 against cpu).
// Everything else goes to tfjs's own kernel.
import { backend_util, util, type Conv2DAttrs, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from './simd/index.js';
import type { Backend } from './util.js';

type Shape4 = [number, number, number, number];
type StockCall = (backend: Backend, inputs: { x: TensorInfo; filter: TensorInfo }, attrs: NamedAttrMap) => TensorInfo;

export function makeConv2DWasm(stock: StockCall): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const x = inputs.x as TensorInfo;
    const filter = inputs.filter as TensorInfo;
    const simd = simdKernels(wasm);
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
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
    if (
      !simd ||
      info.dataFormat !== 'channelsLast' ||
      info.dilationHeight !== 1 ||
      info.dilationWidth !== 1 ||
      info.outChannels % 4 !== 0 ||
      x.dtype !== 'float32' ||
      filter.dtype !== 'float32' ||
      util.sizeFromShape(info.outShape) === 0
    ) {
      return stock(wasm, { x, filter }, attrs as NamedAttrMap);
    }
    const out = wasm.makeOutput(info.outShape, 'float32');
    simd.conv2d(
      heapOffset(wasm, x.dataId),
      heapOffset(wasm, filter.dataId),
      heapOffset(wasm, out.dataId),
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
    return out;
  };
}
