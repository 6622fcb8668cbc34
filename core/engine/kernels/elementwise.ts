// Small wasm kernels the CNN step spends milliseconds on (bench/step-profile.ts):
//   Identity and same-dtype Cast copy their input on wasm (tfjs saves tensors for backprop through them, and the relu
//   gradient casts float32 to float32); here they share the data, as the cpu backend's Identity does (tfjs never
//   writes a tensor's data in place: Variable.assign swaps the data id).
//   Add of a bias ([..., C] + [C], the layers' bias add) runs stock tfjs-wasm's generic broadcasting loop; ours is one
//   SIMD pass (the same float32 additions).
//   The ReLU gradient dy·cast(step(x)) (three kernels, two temporaries) as one SIMD pass with the same results.
import {
  Relu,
  cast,
  mul,
  step,
  util,
  type CastAttrs,
  type GradConfig,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from './simd/index.js';
import type { Backend } from './util.js';

type StockCall = (backend: Backend, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap) => TensorInfo;

function share(backend: Backend, x: TensorInfo): TensorInfo {
  (backend as unknown as { incRef(id: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function makeIdentityWasm(stock: StockCall): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x as TensorInfo;
    if (x.dtype === 'string') return stock(backend as Backend, { x }, attrs as NamedAttrMap);
    return share(backend as Backend, x);
  };
}

export function makeCastWasm(stock: StockCall): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x as TensorInfo;
    const { dtype } = attrs as unknown as CastAttrs;
    if (dtype === x.dtype && dtype !== 'string') return share(backend as Backend, x);
    return stock(backend as Backend, { x }, attrs as NamedAttrMap);
  };
}

/** Add: [..., C] + [C] (either order) by our SIMD loop; everything else by tfjs's own kernel. */
export function makeAddWasm(stock: StockCall): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const a = inputs.a as TensorInfo;
    const b = inputs.b as TensorInfo;
    const simd = simdKernels(wasm);
    const bias = (t: TensorInfo, of: TensorInfo) =>
      t.shape.length >= 1 &&
      of.shape.length >= 2 &&
      t.shape[t.shape.length - 1] === of.shape[of.shape.length - 1] &&
      util.sizeFromShape(t.shape) === of.shape[of.shape.length - 1] &&
      t.shape.length <= of.shape.length;
    const big = bias(b, a) ? a : bias(a, b) ? b : null;
    if (!simd || !big || a.dtype !== 'float32' || b.dtype !== 'float32' || util.sizeFromShape(big.shape) < 4096) {
      return stock(wasm, { a, b }, attrs as NamedAttrMap);
    }
    const small = big === a ? b : a;
    const k = big.shape[big.shape.length - 1]!;
    const out = wasm.makeOutput(big.shape, 'float32');
    simd.biasAdd(heapOffset(wasm, big.dataId), heapOffset(wasm, small.dataId), heapOffset(wasm, out.dataId), util.sizeFromShape(big.shape) / k, k);
    return out;
  };
}

/** ReLU by our SIMD loop: Math.max(0, x) as the cpu backend (NaN stays NaN, −0 → +0); other dtypes: stock. */
export function makeReluWasm(stock: StockCall): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const x = inputs.x as TensorInfo;
    const simd = simdKernels(wasm);
    if (!simd || x.dtype !== 'float32') return stock(wasm, { x }, attrs as NamedAttrMap);
    const out = wasm.makeOutput(x.shape, 'float32');
    simd.relu(heapOffset(wasm, x.dataId), heapOffset(wasm, out.dataId), util.sizeFromShape(x.shape));
    return out;
  };
}

export const RELU_GRAD = 'LayerwiseReluGrad';

/** dx = x > 0 ? dy : dy·0 (x NaN: NaN), elementwise: what dy·cast(step(x)) gives, bit for bit. */
export const reluGradWasm: KernelFunc = ({ inputs, backend }) => {
  const wasm = backend as BackendWasm;
  const dy = inputs.dy as TensorInfo;
  const x = inputs.x as TensorInfo;
  const simd = simdKernels(wasm);
  if (!simd) throw new Error(`${RELU_GRAD}: the SIMD kernels are not loaded`);
  const dx = wasm.makeOutput(x.shape, 'float32');
  simd.reluGrad(heapOffset(wasm, dy.dataId), heapOffset(wasm, x.dataId), heapOffset(wasm, dx.dataId), util.sizeFromShape(x.shape));
  return dx;
};

/**
 * The ReLU gradient: on wasm with the SIMD kernels loaded one kernel (reluGradWasm); elsewhere tfjs's own formula
 * (tfjs-core's Relu_grad), unchanged.
 */
export const reluGradConfig: GradConfig = {
  kernelName: Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as Tensor[];
    const d = dy as Tensor;
    return {
      x: () => {
        const backend = tf.backend();
        const wasm = tf.getBackend() === 'wasm' && tf.getKernel(RELU_GRAD, 'wasm') && simdKernels(backend as BackendWasm);
        if (wasm && d.dtype === 'float32' && x!.dtype === 'float32') {
          return tf.engine().runKernel(RELU_GRAD, { dy: d, x: x! }) as Tensor;
        }
        return mul(d, cast(step(x!), 'float32'));
      },
    };
  },
};
