// Batch normalisation on wasm as a few fused WebAssembly SIMD passes (simd/assembly/batch-norm.ts) instead of
// tfjs's op chain.
//
// tfjs-layers trains a batch-norm layer with moments (Mean, Sub, Square, Mean) then FusedBatchNorm, and tfjs-core's
// FusedBatchNorm gradient is ~15 broadcasting ops plus the moments' gradients (Tile alone took 95 of a 218 ms CNN
// step at batch 256, bench/step-profile.ts): batch norm made the small CNN 10× slower where PyTorch is 2.3× slower.
// Here, training forward is one kernel (LayerwiseBatchNormTrain: channel sums, then the transform; outputs y, the
// batch mean and the biased batch variance, exactly what tfjs-layers' moments give) and backward is one kernel
// (LayerwiseBatchNormGrad: two channel sums, then dx; dγ and dβ from the sums), with the gradient of the mean and
// variance outputs included, so it is the full gradient tfjs's chain computes. Inference (FusedBatchNorm) is one
// pass, and its gradient (mean and variance as inputs: the run view's per-layer statistics) two.
// Sums are float64, elementwise work float32 in the cpu backend's operation order.
//
// The layer class (FastBatchNormalization) is tfjs-layers' BatchNormalization with `call` taking this path when it
// can (wasm with the SIMD kernels loaded, float32, channels last, centre and scale on) and tfjs's own otherwise; the
// moving mean and variance are updated by the same tfjs ops as tfjs-layers (so the same float32 results from the
// same batch statistics). Its class name stays 'BatchNormalization': saved and exported models are unchanged.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  util,
  type FusedBatchNormAttrs,
  type GradConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from './simd/index.js';
import type { Backend } from './util.js';

export const BATCH_NORM_TRAIN = 'LayerwiseBatchNormTrain';
export const BATCH_NORM_GRAD = 'LayerwiseBatchNormGrad';
/** The gradient of FusedBatchNorm with mean and variance as given inputs (inference mode; tfjs-layers' own path). */
export const FUSED_BATCH_NORM_GRAD = 'LayerwiseFusedBatchNormGrad';

type StockCall = (backend: Backend, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap) => TensorInfo;

/** The wasm heap's current buffer (tfjs-wasm's typings omit HEAPU8, which typedArrayFromHeap reads too). */
function heap(wasm: BackendWasm): ArrayBuffer {
  return (wasm.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer as ArrayBuffer;
}

function heapF32(wasm: BackendWasm, t: TensorInfo, count: number, at = 0): Float32Array {
  return new Float32Array(heap(wasm), heapOffset(wasm, t.dataId) + 4 * at, count);
}

function heapF64(wasm: BackendWasm, t: TensorInfo, count: number): Float64Array {
  return new Float64Array(heap(wasm), heapOffset(wasm, t.dataId), count);
}

/** Channels (last axis) and rows (everything else) of x. */
function layout(x: TensorInfo): { rows: number; c: number } {
  const c = x.shape[x.shape.length - 1] ?? 1;
  return { c, rows: util.sizeFromShape(x.shape) / c };
}

/**
 * Training forward: y = (x − μ)·γ/√(σ² + ε) + β with μ, σ² the batch's per-channel mean and biased variance.
 * Outputs [y, μ, σ²]; μ = fround(Σx / n) and σ² = fround(Σ fround(x − μ)² / n) with float64 sums, as tfjs's moments
 * on the cpu backend.
 */
export const batchNormTrainWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { x, scale, offset } = inputs as { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
  const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
  const simd = simdKernels(wasm);
  if (!simd) throw new Error(`${BATCH_NORM_TRAIN}: the SIMD kernels are not loaded`);
  const { rows, c } = layout(x);
  const y = wasm.makeOutput(x.shape, 'float32');
  const mean = wasm.makeOutput([c], 'float32');
  const variance = wasm.makeOutput([c], 'float32');
  // Scratch: c float64 sums, then c float32 multipliers.
  const scratch = wasm.makeOutput([3 * c], 'float32');
  try {
    const px = heapOffset(wasm, x.dataId);
    const pMean = heapOffset(wasm, mean.dataId);
    const pSums = heapOffset(wasm, scratch.dataId);
    const pK = pSums + 8 * c;
    simd.bnColumnSums(px, 0, pSums, rows, c, 0);
    // Views after every allocation (growing the heap detaches earlier ones).
    const sums = heapF64(wasm, scratch, c);
    const m = heapF32(wasm, mean, c);
    for (let i = 0; i < c; i++) m[i] = sums[i]! / rows;
    simd.bnColumnSums(px, pMean, pSums, rows, c, 1);
    const v = heapF32(wasm, variance, c);
    const k = heapF32(wasm, scratch, c, 2 * c);
    const g = heapF32(wasm, scale, c);
    for (let i = 0; i < c; i++) {
      v[i] = sums[i]! / rows;
      k[i] = g[i]! / Math.sqrt(v[i]! + eps);
    }
    simd.bnApply(px, pMean, pK, heapOffset(wasm, offset.dataId), heapOffset(wasm, y.dataId), rows, c, 0);
  } finally {
    wasm.disposeData(scratch.dataId);
  }
  return [y, mean, variance];
};

/**
 * Backward of batchNormTrainWasm, all of it: from dy, and from the gradients of the μ and σ² outputs (zero unless
 * something downstream used them), as tfjs's chain (FusedBatchNorm's gradient plus the moments') computes:
 *   dβ = Σ dy,  dγ = r·Σ dy·(x − μ),  r = 1/√(σ² + ε)
 *   dx = γr·(dy − Σ dy/n) − (γr³/n)·Σ dy(x − μ)·(x − μ) + (2/n)·dσ²·(x − μ) + dμ/n
 * Outputs [dx, dγ, dβ].
 */
export const batchNormGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { x, dy, scale, mean, variance, dmean, dvariance } = inputs as Record<string, TensorInfo>;
  const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
  const simd = simdKernels(wasm);
  if (!simd) throw new Error(`${BATCH_NORM_GRAD}: the SIMD kernels are not loaded`);
  const { rows, c } = layout(x!);
  const dx = wasm.makeOutput(x!.shape, 'float32');
  const dScale = wasm.makeOutput([c], 'float32');
  const dOffset = wasm.makeOutput([c], 'float32');
  // Scratch: 2c float64 sums, then the coefficients a, g, b, e (c float32 each).
  const scratch = wasm.makeOutput([8 * c], 'float32');
  try {
    const px = heapOffset(wasm, x!.dataId);
    const pdy = heapOffset(wasm, dy!.dataId);
    const pMean = heapOffset(wasm, mean!.dataId);
    const pSums = heapOffset(wasm, scratch.dataId);
    simd.bnGradSums(px, pdy, pMean, pSums, rows, c);
    const sums = heapF64(wasm, scratch, 2 * c);
    const a = heapF32(wasm, scratch, c, 4 * c);
    const gm = heapF32(wasm, scratch, c, 5 * c);
    const b = heapF32(wasm, scratch, c, 6 * c);
    const e = heapF32(wasm, scratch, c, 7 * c);
    const g = heapF32(wasm, scale!, c);
    const v = heapF32(wasm, variance!, c);
    const dm = heapF32(wasm, dmean!, c);
    const dv = heapF32(wasm, dvariance!, c);
    const ds = heapF32(wasm, dScale, c);
    const db = heapF32(wasm, dOffset, c);
    for (let i = 0; i < c; i++) {
      const r = 1 / Math.sqrt(v[i]! + eps);
      const s0 = sums[i]!;
      const s1 = sums[c + i]!;
      const gr = g[i]! * r;
      db[i] = s0;
      ds[i] = r * s1;
      a[i] = gr;
      gm[i] = s0 / rows;
      b[i] = (-gr * r * r * s1 + 2 * dv[i]!) / rows;
      e[i] = dm[i]! / rows;
    }
    simd.bnGradApply(px, pdy, pMean, pSums + 16 * c, heapOffset(wasm, dx.dataId), rows, c);
  } finally {
    wasm.disposeData(scratch.dataId);
  }
  return [dx, dScale, dOffset];
};

export const batchNormTrainGradConfig: GradConfig = {
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dmean, dvariance] = dys as tf.Tensor[];
    const [x, scale, mean, variance] = saved;
    // One kernel gives all three; the tape asks for each input's gradient in turn.
    const [dx, dScale, dOffset] = tf.engine().runKernel(
      BATCH_NORM_GRAD,
      { x: x!, dy: dy!, scale: scale!, mean: mean!, variance: variance!, dmean: dmean!, dvariance: dvariance! },
      attrs as NamedAttrMap,
    ) as tf.Tensor[];
    return { x: () => dx!, scale: () => dScale!, offset: () => dOffset! };
  },
};

/**
 * FusedBatchNorm (inference, and tfjs's own training path) on wasm: (x − mean)·scale/√(variance + ε) + offset in one
 * SIMD pass, each parameter of one value per channel (or one value). Other shapes and dtypes: tfjs's kernel.
 */
export function makeFusedBatchNormWasm(stock: StockCall): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { x, mean, variance, offset, scale } = inputs as Record<string, TensorInfo | undefined>;
    const simd = simdKernels(wasm);
    const { rows, c } = layout(x!);
    const params = [mean!, variance!, offset, scale];
    const fits = (t: TensorInfo | undefined) => !t || (t.dtype === 'float32' && [1, c].includes(util.sizeFromShape(t.shape)));
    if (!simd || x!.dtype !== 'float32' || rows * c === 0 || !params.every(fits)) {
      return stock(wasm, inputs as Record<string, TensorInfo>, attrs as NamedAttrMap);
    }
    const eps = (attrs as unknown as FusedBatchNormAttrs).varianceEpsilon;
    const out = wasm.makeOutput(x!.shape, 'float32');
    const coef = wasm.makeOutput([3 * c], 'float32');
    try {
      const all = heapF32(wasm, coef, 3 * c);
      const read = (t: TensorInfo | undefined, fallback: number) => {
        if (!t) return () => fallback;
        const view = wasm.typedArrayFromHeap(t) as Float32Array;
        return view.length === 1 ? () => view[0]! : (i: number) => view[i]!;
      };
      const [m, v, o, s] = [read(mean, 0), read(variance, 1), read(offset, 0), read(scale, 1)];
      for (let i = 0; i < c; i++) {
        all[i] = m(i);
        all[c + i] = s(i) / Math.sqrt(v(i) + eps);
        all[2 * c + i] = o(i);
      }
      const p = heapOffset(wasm, coef.dataId);
      simd.bnApply(heapOffset(wasm, x!.dataId), p, p + 4 * c, p + 8 * c, heapOffset(wasm, out.dataId), rows, c, 0);
    } finally {
      wasm.disposeData(coef.dataId);
    }
    return out;
  };
}

/**
 * FusedBatchNorm's gradient with mean and variance as inputs (not batch statistics): what the run view's per-layer
 * gradient statistics (inference mode) and tfjs-layers' own batch-norm path need. tfjs's composite (Tile and ~15
 * broadcasting ops) took ~100 ms per call at the CNN's conv1 size; here one pass of channel sums and one of dx:
 *   dx = γr·dy,  dμ = −γr·Σ dy,  dσ² = −½γr³·Σ dy(x − μ),  dγ = r·Σ dy(x − μ),  dβ = Σ dy,  r = 1/√(σ² + ε)
 * Outputs [dx, dμ, dσ², dγ, dβ] (each parameter's gradient as the parameter's shape; γ = 1 when absent).
 */
export const fusedBatchNormGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { x, dy, mean, variance, scale } = inputs as Record<string, TensorInfo | undefined>;
  const eps = (attrs as unknown as FusedBatchNormAttrs).varianceEpsilon;
  const simd = simdKernels(wasm);
  if (!simd) throw new Error(`${FUSED_BATCH_NORM_GRAD}: the SIMD kernels are not loaded`);
  const { rows, c } = layout(x!);
  const dx = wasm.makeOutput(x!.shape, 'float32');
  const outs = [mean!, variance!, scale ?? mean!, mean!].map((t) => wasm.makeOutput(t.shape, 'float32'));
  // Scratch: 2c float64 sums, then γr and c zeros (the transform dy·γr as bnApply's (dy − 0)·γr + 0).
  const scratch = wasm.makeOutput([6 * c], 'float32');
  try {
    const pSums = heapOffset(wasm, scratch.dataId);
    simd.bnGradSums(heapOffset(wasm, x!.dataId), heapOffset(wasm, dy!.dataId), heapOffset(wasm, mean!.dataId), pSums, rows, c);
    const sums = heapF64(wasm, scratch, 2 * c);
    const k = heapF32(wasm, scratch, c, 4 * c);
    heapF32(wasm, scratch, c, 5 * c).fill(0);
    const v = heapF32(wasm, variance!, c);
    const g = scale ? heapF32(wasm, scale, c) : null;
    const [dm, dv, ds, db] = outs.map((t) => heapF32(wasm, t, c));
    for (let i = 0; i < c; i++) {
      const r = 1 / Math.sqrt(v[i]! + eps);
      const gr = (g ? g[i]! : 1) * r;
      k[i] = gr;
      dm![i] = -gr * sums[i]!;
      dv![i] = -0.5 * gr * r * r * sums[c + i]!;
      ds![i] = r * sums[c + i]!;
      db![i] = sums[i]!;
    }
    const zeros = pSums + 20 * c;
    simd.bnApply(heapOffset(wasm, dy!.dataId), zeros, pSums + 16 * c, zeros, heapOffset(wasm, dx.dataId), rows, c, 0);
  } finally {
    wasm.disposeData(scratch.dataId);
  }
  return [dx, ...outs];
};

/**
 * FusedBatchNorm's gradient: on wasm with the SIMD kernels, channels-last x and one value per channel for every
 * parameter, fusedBatchNormGradWasm; everywhere else tfjs's own (`stock`), unchanged.
 */
export function makeFusedBatchNormGradConfig(stock: () => GradConfig | null): GradConfig {
  return {
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved as Array<tf.Tensor | undefined>;
      const c = x!.shape[x!.rank - 1]!;
      const perChannel = [mean, variance, scale].every((t) => !t || (t.rank === 1 && t.size === c && t.dtype === 'float32'));
      const d = dy as tf.Tensor;
      if (!perChannel || d.dtype !== 'float32' || x!.dtype !== 'float32' || x!.size === 0 || !fusedBatchNormAvailable()) {
        const fallback = stock();
        if (!fallback) throw new Error('tfjs has no FusedBatchNorm gradient');
        return fallback.gradFunc(dy, saved, attrs);
      }
      const [dx, dMean, dVariance, dScale, dOffset] = tf.engine().runKernel(
        FUSED_BATCH_NORM_GRAD,
        { x: x!, dy: d, mean: mean!, variance: variance!, ...(scale ? { scale } : {}) },
        attrs as NamedAttrMap,
      ) as tf.Tensor[];
      return { x: () => dx!, mean: () => dMean!, variance: () => dVariance!, scale: () => dScale!, offset: () => dOffset! };
    },
  };
}

// ---- The layer.

type BatchNormLayer = ReturnType<typeof tfl.layers.batchNormalization>;
const BatchNormalization = tfl.layers.batchNormalization({}).constructor as new (args?: object) => BatchNormLayer;

/** The fields of tfjs-layers' BatchNormalization this path reads (private in its typings). */
interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tfl.LayerVariable;
  beta: tfl.LayerVariable;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
}

/** Whether the fused wasm path runs on this backend now. */
export function fusedBatchNormAvailable(): boolean {
  return tf.getBackend() === 'wasm' && !!tf.getKernel(BATCH_NORM_TRAIN, 'wasm') && !!tf.getKernel(FUSED_BATCH_NORM_GRAD, 'wasm') && !!simdKernels(tf.backend() as BackendWasm);
}

export class FastBatchNormalization extends BatchNormalization {
  /** The same class name as tfjs-layers' layer: serialised configs and exports do not change. */
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const self = this as unknown as BatchNormFields;
    const axis = self.axis >= 0 ? self.axis : self.axis + x.rank;
    const training = kwargs.training === true;
    if (!training || axis !== x.rank - 1 || x.rank < 2 || x.dtype !== 'float32' || !self.center || !self.scale || x.size === 0 || !fusedBatchNormAvailable()) {
      return super.call(inputs, kwargs as never);
    }
    return tf.tidy(() => {
      const [y, mean, variance] = tf.engine().runKernel(
        BATCH_NORM_TRAIN,
        { x, scale: self.gamma.read(), offset: self.beta.read() },
        { varianceEpsilon: self.epsilon },
      ) as tf.Tensor[];
      // tfjs-layers' moving-average update, op for op.
      const decay = 1 - self.momentum;
      for (const [variable, value] of [
        [self.movingMean, mean!],
        [self.movingVariance, variance!],
      ] as const) {
        tf.tidy(() => {
          const orig = variable.read();
          variable.write(tf.sub(orig, tf.mul(tf.sub(orig, value), decay)));
        });
      }
      return y!;
    });
  }
}

/** Drop-in for `tfl.layers.batchNormalization(args)`. */
export function batchNormalization(args: Parameters<typeof tfl.layers.batchNormalization>[0]): BatchNormLayer {
  return new FastBatchNormalization(args);
}
