// The engine's kernels (core/engine/kernels) against references: a float64 loop written here, and the cpu
// backend's own (stock) kernels, which stay reachable through stockKernel().
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs's gradients under Node
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { ENGINE_KERNELS, registerEngineKernels, stockKernel } from '../../core/engine/kernels/index.js';

type Shape4 = [number, number, number, number];

/** Seeded uniform floats in [lo, hi) (mulberry32). */
function random(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** max |a − ref| / max(|ref|), the error relative to the reference's magnitude. */
function relError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(a.length).toBe(ref.length);
  let err = 0;
  let mag = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - ref[i]!));
    mag = Math.max(mag, Math.abs(ref[i]!));
  }
  return err / Math.max(mag, 1e-30);
}

/** Runs a kernel config directly on a backend (used for the stock kernels the engine replaced). */
async function runConfig(
  config: tf.KernelConfig,
  backendName: string,
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  attrs: tf.NamedAttrMap,
): Promise<Float32Array> {
  await tf.setBackend(backendName);
  const backend = tf.backend();
  config.setupFunc?.(backend); // the stock kernel's setup never ran if ours was registered first
  const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
  try {
    const out = config.kernelFunc({ inputs: tensors, backend, attrs }) as tf.TensorInfo;
    const values = Float32Array.from(backend.readSync(out.dataId) as Float32Array);
    backend.disposeData(out.dataId);
    return values;
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}

/** Runs whatever kernel is registered now for the backend, through the engine. */
async function runNow(
  kernelName: string,
  backendName: string,
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  attrs: tf.NamedAttrMap,
): Promise<Float32Array> {
  await tf.setBackend(backendName);
  return tf.tidy(() => {
    const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
    const out = tf.engine().runKernel(kernelName, tensors, attrs) as tf.Tensor;
    return Float32Array.from(out.dataSync());
  });
}

/** The filter gradient of conv2d by its definition, in float64 (NHWC, no dilation). */
function conv2dFilterGradReference(
  x: Float32Array,
  xShape: Shape4,
  dy: Float32Array,
  dyShape: Shape4,
  filterShape: Shape4,
  strides: [number, number],
  padTop: number,
  padLeft: number,
): Float64Array {
  const [n, h, w, cin] = xShape;
  const [, oh, ow, cout] = dyShape;
  const [fh, fw] = filterShape;
  const out = new Float64Array(size(filterShape));
  for (let r = 0; r < fh; r++)
    for (let c = 0; c < fw; c++)
      for (let ci = 0; ci < cin; ci++)
        for (let co = 0; co < cout; co++) {
          let s = 0;
          for (let b = 0; b < n; b++)
            for (let yr = 0; yr < oh; yr++) {
              const xr = yr * strides[0] + r - padTop;
              if (xr < 0 || xr >= h) continue;
              for (let yc = 0; yc < ow; yc++) {
                const xc = yc * strides[1] + c - padLeft;
                if (xc < 0 || xc >= w) continue;
                s += x[((b * h + xr) * w + xc) * cin + ci]! * dy[((b * oh + yr) * ow + yc) * cout + co]!;
              }
            }
          out[((r * fw + c) * cin + ci) * cout + co] = s;
        }
  return out;
}

beforeAll(async () => {
  // Reference values from the stock cpu kernels need them captured before ours replace them: the kernels module
  // records them on registration.
  registerEngineKernels();
  await initBackend('cpu');
  await initBackend('wasm');
});

describe('registration', () => {
  it('registers every engine kernel once, and again is a no-op', () => {
    registerEngineKernels();
    for (const config of ENGINE_KERNELS) {
      expect(tf.getKernel(config.kernelName, config.backendName)?.kernelFunc).toBe(config.kernelFunc);
    }
  });

  it('keeps the stock kernels reachable (and wasm really has no Conv2DBackpropFilter of its own)', () => {
    expect(stockKernel('Conv2DBackpropFilter', 'cpu')).not.toBeNull();
    expect(stockKernel('MaxPoolGrad', 'cpu')).not.toBeNull();
    expect(stockKernel('MaxPoolGrad', 'wasm')).not.toBeNull();
    expect(stockKernel('Conv2DBackpropFilter', 'wasm')).toBeNull();
  });
});

describe('Conv2DBackpropFilter', () => {
  // [x shape, filter height/width, out channels, strides, pad]
  const cases: Array<{ x: Shape4; f: [number, number]; cout: number; strides: [number, number]; pad: 'same' | 'valid' | number }> = [
    { x: [1, 6, 6, 1], f: [3, 3], cout: 2, strides: [1, 1], pad: 'same' },
    { x: [3, 8, 7, 2], f: [3, 2], cout: 4, strides: [1, 1], pad: 'valid' },
    { x: [2, 9, 9, 3], f: [2, 2], cout: 3, strides: [2, 2], pad: 'valid' }, // the last row/column is never read
    { x: [2, 10, 9, 2], f: [3, 3], cout: 5, strides: [2, 2], pad: 'same' },
    { x: [2, 7, 11, 3], f: [1, 3], cout: 2, strides: [1, 2], pad: 'same' },
    { x: [4, 12, 12, 4], f: [5, 5], cout: 8, strides: [2, 2], pad: 'same' },
    { x: [2, 5, 5, 2], f: [1, 1], cout: 3, strides: [3, 3], pad: 'same' }, // 'same' that pads nothing and crops
    { x: [2, 8, 8, 2], f: [3, 3], cout: 2, strides: [2, 1], pad: 1 },
  ];

  for (const [i, k] of cases.entries()) {
    const name = `x [${k.x.join(',')}], filter ${k.f.join('×')}→${k.cout}, strides ${k.strides.join(',')}, pad ${k.pad}`;
    it(name, async () => {
      const filterShape: Shape4 = [k.f[0], k.f[1], k.x[3], k.cout];
      const info = tf.backend_util.computeConv2DInfo(k.x, filterShape, k.strides, 1, k.pad);
      const dyShape: Shape4 = [k.x[0], info.outHeight, info.outWidth, k.cout];
      const x = random(size(k.x), 100 + i);
      const dy = random(size(dyShape), 200 + i);
      const inputs = { x: { values: x, shape: k.x }, dy: { values: dy, shape: dyShape } };
      const attrs = { strides: k.strides, pad: k.pad, dataFormat: 'NHWC', filterShape } as unknown as tf.NamedAttrMap;

      const ref = conv2dFilterGradReference(x, k.x, dy, dyShape, filterShape, k.strides, info.padInfo.top, info.padInfo.left);
      const stockCpu = await runConfig(stockKernel('Conv2DBackpropFilter', 'cpu')!, 'cpu', inputs, attrs);
      const cpu = await runNow('Conv2DBackpropFilter', 'cpu', inputs, attrs);
      const wasm = await runNow('Conv2DBackpropFilter', 'wasm', inputs, attrs);

      expect(relError(stockCpu, ref)).toBeLessThan(1e-6); // the reference itself agrees with tfjs
      expect(Array.from(cpu)).toEqual(Array.from(stockCpu)); // same sums, same order, float64: bit-identical
      expect(relError(wasm, ref)).toBeLessThan(1e-5);
      expect(relError(wasm, stockCpu)).toBeLessThan(1e-5);
    });
  }

  it('on cpu, hands NCHW (which the engine never uses) to the stock kernel', async () => {
    const xShape: Shape4 = [2, 3, 7, 6]; // N, C, H, W
    const dyShape: Shape4 = [2, 4, 4, 3];
    const inputs = { x: { values: random(size(xShape), 31), shape: xShape }, dy: { values: random(size(dyShape), 32), shape: dyShape } };
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] } as unknown as tf.NamedAttrMap;
    const stockCpu = await runConfig(stockKernel('Conv2DBackpropFilter', 'cpu')!, 'cpu', inputs, attrs);
    expect(Array.from(await runNow('Conv2DBackpropFilter', 'cpu', inputs, attrs))).toEqual(Array.from(stockCpu));
  });

  it('is what tf.grad of conv2d uses on wasm (and frees its temporaries)', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(random(2 * 7 * 7 * 3, 7), [2, 7, 7, 3]);
    const w = tf.tensor4d(random(3 * 3 * 3 * 4, 8), [3, 3, 3, 4]);
    const r = tf.tensor4d(random(2 * 4 * 4 * 4, 9), [2, 4, 4, 4]);
    const f = (w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, 2, 'same'), r));
    tf.grad(f)(w).dispose(); // warm up
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    const g = tf.grad(f)(w);
    const got = Float32Array.from(await g.data());
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytesBefore);
    expect(tf.engine().backend.numDataIds()).toBe(before);
    const info = tf.backend_util.computeConv2DInfo([2, 7, 7, 3], [3, 3, 3, 4], 2, 1, 'same');
    const ref = conv2dFilterGradReference(x.dataSync() as Float32Array, [2, 7, 7, 3], r.dataSync() as Float32Array, [2, 4, 4, 4], [3, 3, 3, 4], [2, 2], info.padInfo.top, info.padInfo.left);
    expect(relError(got, ref)).toBeLessThan(1e-5);
    tf.dispose([x, w, r]);
  });
});

describe('MaxPoolGrad', () => {
  /** Values with many ties (a few levels, like saturated digit pixels), negatives and tiny positives. */
  function tricky(n: number, seed: number): Float32Array {
    const levels = [-3, -1, -1e-39, 0, 1e-39, 0.5, 1, 1];
    const u = random(n, seed, 0, 1);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = levels[Math.floor(u[i]! * levels.length)]!;
    return out;
  }

  const cases: Array<{ x: Shape4; f: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }> = [
    { x: [2, 8, 8, 3], f: [2, 2], strides: [2, 2], pad: 'valid' },
    { x: [2, 7, 7, 2], f: [2, 2], strides: [2, 2], pad: 'same' },
    { x: [2, 6, 6, 2], f: [3, 3], strides: [1, 1], pad: 'same' }, // overlapping windows
    { x: [1, 9, 7, 4], f: [3, 3], strides: [2, 2], pad: 'same' },
    { x: [3, 6, 9, 1], f: [2, 3], strides: [1, 2], pad: 'valid' },
  ];

  for (const [i, k] of cases.entries()) {
    it(`ties and all-negative windows: x [${k.x.join(',')}], pool ${k.f.join('×')}, strides ${k.strides.join(',')}, ${k.pad} — equal to cpu`, async () => {
      const info = tf.backend_util.computePool2DInfo(k.x, k.f, k.strides, 1, k.pad);
      const outShape = info.outShape as Shape4;
      const x = tricky(size(k.x), 300 + i);
      x[0] = Number.NEGATIVE_INFINITY; // a window holding −∞
      const dy = random(size(outShape), 400 + i);
      const y = await runNow('MaxPool', 'cpu', { x: { values: x, shape: k.x } }, { filterSize: k.f, strides: k.strides, pad: k.pad });
      const inputs = { dy: { values: dy, shape: outShape }, input: { values: x, shape: k.x }, output: { values: y, shape: outShape } };
      const attrs = { filterSize: k.f, strides: k.strides, pad: k.pad } as unknown as tf.NamedAttrMap;

      const stockCpu = await runConfig(stockKernel('MaxPoolGrad', 'cpu')!, 'cpu', inputs, attrs);
      const cpu = await runNow('MaxPoolGrad', 'cpu', inputs, attrs);
      const wasm = await runNow('MaxPoolGrad', 'wasm', inputs, attrs);
      expect(Array.from(cpu)).toEqual(Array.from(stockCpu));
      expect(Array.from(wasm)).toEqual(Array.from(stockCpu));

      // The stock wasm kernel gets these inputs wrong: the test sees the difference it exists to catch.
      const stockWasm = await runConfig(stockKernel('MaxPoolGrad', 'wasm')!, 'wasm', inputs, attrs);
      expect(Array.from(stockWasm)).not.toEqual(Array.from(stockCpu));
    });
  }
});

describe('a small CNN trains the same on wasm as on cpu', () => {
  it('tf.variableGrads of every weight matches the cpu backend with its stock kernels', async () => {
    // conv 3×3 same → leaky relu → maxPool 2 → conv 3×2 stride 2 valid → tanh → maxPool 2 same → dense → softmax
    // cross-entropy (activations with a gradient below zero, so all-negative pooling windows matter),
    // on digit-like inputs: saturated strokes on a blank background, so the first conv's outputs tie in flat areas.
    const xShape: Shape4 = [4, 12, 12, 1];
    const xs = new Float32Array(size(xShape));
    const noise = random(xs.length, 11, 0, 1);
    for (let b = 0; b < 4; b++)
      for (let r = 0; r < 12; r++)
        for (let c = 0; c < 12; c++) {
          const i = (b * 12 + r) * 12 + c;
          const stroke = (r >= 2 + b && r < 8 + b && c >= 3 && c < 9) || (c >= 5 + b && c < 7 + b);
          xs[i] = stroke ? 1 : noise[i]! < 0.1 ? 0.5 : 0;
        }
    const labels = new Float32Array(4 * 5);
    for (let b = 0; b < 4; b++) labels[b * 5 + (b % 5)] = 1;
    const init = {
      w1: { values: random(3 * 3 * 1 * 4, 21, -0.5, 0.5), shape: [3, 3, 1, 4] },
      b1: { values: random(4, 22, -0.1, 0.1), shape: [4] },
      w2: { values: random(3 * 2 * 4 * 6, 23, -0.3, 0.3), shape: [3, 2, 4, 6] },
      b2: { values: random(6, 24, -0.1, 0.1), shape: [6] },
      w3: { values: random(2 * 1 * 6 * 5, 25, -0.3, 0.3), shape: [12, 5] },
    };
    const grads = async (backend: string): Promise<Record<string, Float32Array>> => {
      await tf.setBackend(backend);
      const v = Object.fromEntries(Object.entries(init).map(([k, t]) => [k, tf.variable(tf.tensor(t.values, t.shape), true, `${k}_${backend}_${Math.random()}`)]));
      const x = tf.tensor4d(xs, xShape);
      const y = tf.tensor2d(labels, [4, 5]);
      const { grads, value } = tf.variableGrads(() => {
        let h = tf.leakyRelu(tf.add(tf.conv2d(x, v.w1 as tf.Variable<tf.Rank.R4>, 1, 'same'), v.b1!), 0.2) as tf.Tensor4D;
        h = tf.maxPool(h, 2, 2, 'valid'); // 6×6×4
        h = tf.tanh(tf.add(tf.conv2d(h, v.w2 as tf.Variable<tf.Rank.R4>, 2, 'valid'), v.b2!)) as tf.Tensor4D; // 2×3×6
        h = tf.maxPool(h, 2, 2, 'same'); // 1×2×6
        const logits = tf.matMul(tf.reshape(h, [4, 12]), v.w3!);
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      });
      const out: Record<string, Float32Array> = {};
      for (const [k, g] of Object.entries(grads)) out[k.split('_')[0]!] = Float32Array.from(await g.data());
      tf.dispose([grads, value, x, y, Object.values(v)] as unknown as tf.Tensor[]);
      return out;
    };

    // The reference: cpu with tfjs's own kernels.
    const { unregisterEngineKernels } = await import('../../core/engine/kernels/index.js');
    unregisterEngineKernels();
    let reference: Record<string, Float32Array>;
    try {
      reference = await grads('cpu');
    } finally {
      registerEngineKernels();
    }
    const wasm = await grads('wasm');
    const cpu = await grads('cpu');

    // With tfjs's own wasm MaxPoolGrad the same check fails: the test can see the bug it guards against.
    const stockPool = stockKernel('MaxPoolGrad', 'wasm')!;
    tf.unregisterKernel('MaxPoolGrad', 'wasm');
    tf.registerKernel(stockPool);
    let wasmStockPool: Record<string, Float32Array>;
    try {
      await tf.setBackend('wasm');
      stockPool.setupFunc?.(tf.backend());
      wasmStockPool = await grads('wasm');
    } finally {
      registerEngineKernels();
    }
    expect(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc).not.toBe(stockPool.kernelFunc);
    expect(relError(wasmStockPool.w1!, reference.w1!)).toBeGreaterThan(1e-4);
    expect(Object.keys(wasm).sort()).toEqual(['b1', 'b2', 'w1', 'w2', 'w3']);
    for (const k of Object.keys(reference)) {
      expect(Math.max(...reference[k]!.map(Math.abs)), `${k} is a real gradient`).toBeGreaterThan(1e-4);
      expect(relError(wasm[k]!, reference[k]!), `wasm ${k}`).toBeLessThan(1e-5);
      expect(Array.from(cpu[k]!), `cpu ${k}`).toEqual(Array.from(reference[k]!)); // the cpu kernels are bit-identical
    }
  });
});
