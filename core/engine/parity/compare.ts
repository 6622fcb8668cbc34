// How two tensors are compared, and the float64 reference computations that check the cpu backend itself.
import { backend_util } from '@tensorflow/tfjs-core';

/** The bound every tensor must meet against its reference (issue 9): never loosened to make a backend pass. */
export const PARITY_BOUND = 1e-5;

/** Below this the reference is treated as all-zero, and the error is the absolute error over this floor. */
export const TINY = 1e-30;

/**
 * max |a − ref| / max(max |ref|, TINY): the error relative to the reference tensor's magnitude, so entries that
 * are near zero (a gradient that cancels) are judged on the tensor's scale, not on their own. Length mismatch or a
 * NaN/∞ where the reference is finite (or the reverse) is an infinite error.
 */
export function relError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (a.length !== ref.length) return Infinity;
  let err = 0;
  let mag = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    const v = a[i]!;
    if (Number.isFinite(r) !== Number.isFinite(v)) return Infinity;
    if (!Number.isFinite(r)) {
      if (!Object.is(r, v) && !(Number.isNaN(r) && Number.isNaN(v))) return Infinity;
      continue;
    }
    err = Math.max(err, Math.abs(v - r));
    mag = Math.max(mag, Math.abs(r));
  }
  return err / Math.max(mag, TINY);
}

/** Largest absolute value of a tensor's entries (to tell a real gradient from one that is all zeros). */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

export interface Conv64 {
  /** [fh, fw, cin, cout] */
  kernel: ArrayLike<number>;
  kernelShape: [number, number, number, number];
  bias: ArrayLike<number>;
  strides: number;
  padding: 'valid' | 'same';
}

/** The forward outputs and gradients of a reference net, in float64. */
export interface Reference64 {
  output: Float64Array;
  loss: number;
  /** Gradients keyed like the parity run's `grad:` entries (layer path/weight). */
  grads: Record<string, Float64Array>;
}

/**
 * [conv2d (optional) → relu] → flatten → dense → softmax cross-entropy (mean over the batch), forward and backward
 * by the definitions, in float64. x is NHWC [n, h, w, c] flattened.
 */
export function referenceNet64(opts: {
  x: ArrayLike<number>;
  xShape: [number, number, number, number];
  labels: ArrayLike<number>;
  classes: number;
  conv?: Conv64 & { kernelName: string; biasName: string };
  dense: { kernel: ArrayLike<number>; bias: ArrayLike<number>; kernelName: string; biasName: string };
}): Reference64 {
  const [n, h, w, c] = opts.xShape;
  const grads: Record<string, Float64Array> = {};
  let features: Float64Array;
  let featureCount: number;
  let convInfo: backend_util.Conv2DInfo | undefined;
  let pre: Float64Array | undefined; // conv output before relu
  if (opts.conv) {
    const k = opts.conv;
    convInfo = backend_util.computeConv2DInfo(opts.xShape, k.kernelShape, k.strides, 1, k.padding);
    const { outHeight: oh, outWidth: ow, outChannels: co, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = convInfo;
    const { top, left } = convInfo.padInfo;
    pre = new Float64Array(n * oh * ow * co);
    for (let b = 0; b < n; b++)
      for (let r = 0; r < oh; r++)
        for (let q = 0; q < ow; q++)
          for (let o = 0; o < co; o++) {
            let s = k.bias[o]!;
            for (let i = 0; i < fh; i++) {
              const xr = r * sh + i - top;
              if (xr < 0 || xr >= h) continue;
              for (let j = 0; j < fw; j++) {
                const xc = q * sw + j - left;
                if (xc < 0 || xc >= w) continue;
                for (let ci = 0; ci < c; ci++) s += opts.x[((b * h + xr) * w + xc) * c + ci]! * k.kernel[((i * fw + j) * c + ci) * co + o]!;
              }
            }
            pre[((b * oh + r) * ow + q) * co + o] = s;
          }
    features = pre.map((v) => Math.max(v, 0));
    featureCount = oh * ow * co;
  } else {
    features = Float64Array.from(opts.x as ArrayLike<number>);
    featureCount = h * w * c;
  }
  const m = opts.classes;
  const logits = new Float64Array(n * m);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < m; o++) {
      let s = opts.dense.bias[o]!;
      for (let i = 0; i < featureCount; i++) s += features[b * featureCount + i]! * opts.dense.kernel[i * m + o]!;
      logits[b * m + o] = s;
    }
  // softmax cross-entropy, mean over rows; dlogits = (softmax − y) / n
  let loss = 0;
  const dlogits = new Float64Array(n * m);
  for (let b = 0; b < n; b++) {
    let mx = -Infinity;
    for (let o = 0; o < m; o++) mx = Math.max(mx, logits[b * m + o]!);
    let z = 0;
    for (let o = 0; o < m; o++) z += Math.exp(logits[b * m + o]! - mx);
    for (let o = 0; o < m; o++) {
      const logp = logits[b * m + o]! - mx - Math.log(z);
      const y = opts.labels[b * m + o]!;
      loss -= (y * logp) / n;
      dlogits[b * m + o] = (Math.exp(logp) - y) / n;
    }
  }
  const dK = new Float64Array(featureCount * m);
  const dB = new Float64Array(m);
  const dFeat = new Float64Array(n * featureCount);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < m; o++) {
      const g = dlogits[b * m + o]!;
      dB[o] = dB[o]! + g;
      for (let i = 0; i < featureCount; i++) {
        dK[i * m + o] = dK[i * m + o]! + features[b * featureCount + i]! * g;
        dFeat[b * featureCount + i] = dFeat[b * featureCount + i]! + opts.dense.kernel[i * m + o]! * g;
      }
    }
  grads[opts.dense.kernelName] = dK;
  grads[opts.dense.biasName] = dB;
  if (opts.conv && convInfo && pre) {
    const k = opts.conv;
    const { outHeight: oh, outWidth: ow, outChannels: co, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = convInfo;
    const { top, left } = convInfo.padInfo;
    const dW = new Float64Array(fh * fw * c * co);
    const dBc = new Float64Array(co);
    for (let b = 0; b < n; b++)
      for (let r = 0; r < oh; r++)
        for (let q = 0; q < ow; q++)
          for (let o = 0; o < co; o++) {
            const at = ((b * oh + r) * ow + q) * co + o;
            const g = pre[at]! > 0 ? dFeat[at]! : 0;
            if (g === 0) continue;
            dBc[o] = dBc[o]! + g;
            for (let i = 0; i < fh; i++) {
              const xr = r * sh + i - top;
              if (xr < 0 || xr >= h) continue;
              for (let j = 0; j < fw; j++) {
                const xc = q * sw + j - left;
                if (xc < 0 || xc >= w) continue;
                for (let ci = 0; ci < c; ci++) {
                  const wi = ((i * fw + j) * c + ci) * co + o;
                  dW[wi] = dW[wi]! + opts.x[((b * h + xr) * w + xc) * c + ci]! * g;
                }
              }
            }
          }
    grads[k.kernelName] = dW;
    grads[k.biasName] = dBc;
  }
  return { output: logits, loss, grads };
}
