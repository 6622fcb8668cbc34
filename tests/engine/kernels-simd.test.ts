// The engine's WebAssembly SIMD kernels and wasm overrides (core/engine/kernels: simd/, elementwise.ts, matmul.ts,
// conv2d-backprop-input.ts, the SIMD paths of MaxPoolGrad, Conv2DBackpropFilter and Sum) against the cpu backend on
// the shapes real models give them, with numeric bounds. Each check also runs the kernel directly, so that a wrong
// kernel fails here rather than passing through a fallback.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs's gradients under Node
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { loadSimdKernels, registerEngineKernels, simdKernels, stockKernel } from '../../core/engine/kernels/index.js';
import { RELU_GRAD } from '../../core/engine/kernels/elementwise.js';

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

/** Few distinct values (ties everywhere), some negative, like saturated MNIST pixels after a linear layer. */
function ties(n: number, seed: number): Float32Array {
  return random(n, seed, -2, 3).map((v) => Math.round(v));
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** max |a − ref| / max(|ref|). */
function relError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(a.length).toBe(ref.length);
  let err = 0;
  let mag = 0;
  for (let i = 0; i < ref.length; i++) {
    if (Number.isNaN(ref[i]!) || Number.isNaN(a[i]!)) {
      if (Number.isNaN(ref[i]!) !== Number.isNaN(a[i]!)) return Infinity;
      continue;
    }
    if (a[i] === ref[i]) continue; // ±∞ included
    err = Math.max(err, Math.abs(a[i]! - ref[i]!));
    mag = Math.max(mag, Math.abs(ref[i]!));
  }
  return err / Math.max(mag, 1e-30);
}

type Inputs = Record<string, { values: Float32Array; shape: number[] }>;

/** Runs the kernel registered now for `kernelName` on `backendName`, through the engine. */
async function run(kernelName: string, backendName: string, inputs: Inputs, attrs: tf.NamedAttrMap): Promise<Float32Array> {
  await tf.setBackend(backendName);
  return tf.tidy(() => {
    const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
    const out = tf.engine().runKernel(kernelName, tensors, attrs) as tf.Tensor;
    return Float32Array.from(out.dataSync());
  });
}

/** Runs a kernel config directly on wasm (tfjs's own kernels, which the engine replaced). */
async function runConfig(config: tf.KernelConfig, inputs: Inputs, attrs: tf.NamedAttrMap): Promise<Float32Array> {
  await tf.setBackend('wasm');
  const backend = tf.backend();
  config.setupFunc?.(backend);
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

beforeAll(async () => {
  registerEngineKernels();
  await initBackend('cpu');
  await initBackend('wasm');
  await loadSimdKernels();
});

describe('the SIMD module', () => {
  it('is built, loaded and instantiated on tfjs-wasm\'s own memory', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const k = simdKernels(backend);
    expect(k, 'run `node scripts/build-kernels.mjs`').not.toBeNull();
    // The same memory object: a kernel writes where tfjs reads.
    const memory = (backend.wasm as unknown as { asm: { memory: { buffer: ArrayBuffer } } }).asm.memory;
    expect(memory.buffer).toBe((backend.wasm as unknown as { HEAPF32: Float32Array }).HEAPF32.buffer);
    const x = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]);
    const b = tf.tensor([10, 20, 30, 40]);
    const out = backend.makeOutput([2, 4], 'float32');
    const at = (t: { dataId: object }) => (backend.dataIdMap.get(t.dataId) as unknown as { memoryOffset: number }).memoryOffset;
    k!.biasAdd(at(x), at(b), at(out), 2, 4);
    expect(Array.from(backend.typedArrayFromHeap(out))).toEqual([11, 22, 33, 44, 15, 26, 37, 48]);
    backend.disposeData(out.dataId);
    tf.dispose([x, b]);
  });
});

describe('MaxPoolGrad (SIMD): bit-identical to cpu, first maximum wins', () => {
  const cases: Array<{ x: Shape4; f: number; s: number; pad: 'valid' | 'same' }> = [
    { x: [1, 26, 26, 8], f: 2, s: 2, pad: 'valid' }, // the bench CNN's first pool
    { x: [256, 11, 11, 16], f: 2, s: 2, pad: 'valid' }, // its second (odd size: the last row is never read)
    { x: [1, 9, 9, 8], f: 3, s: 2, pad: 'same' }, // overlapping windows: float64 sums
    { x: [2, 7, 6, 12], f: 3, s: 1, pad: 'same' },
    { x: [3, 8, 8, 3], f: 2, s: 2, pad: 'valid' }, // channels not a multiple of 4: the scalar tail
    { x: [1, 10, 10, 6], f: 3, s: 2, pad: 'valid' }, // 4 SIMD lanes + 2 scalar, overlapping
    { x: [2, 7, 7, 4], f: 2, s: 2, pad: 'same' }, // padded: windows clipped at the border
  ];
  for (const { x, f, s, pad } of cases) {
    it(`x [${x.join(', ')}], ${f}×${f} stride ${s} ${pad}`, async () => {
      const attrs = { filterSize: [f, f], strides: [s, s], pad, dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
      const xs = ties(size(x), 11 + x[0]);
      xs.fill(-Infinity, 0, 40); // a window of −∞ sends nothing
      const outShape = tf.tidy(() => tf.maxPool(tf.zeros(x) as tf.Tensor4D, f, s, pad).shape);
      const dy = random(size(outShape), 5);
      dy.fill(-0, 0, 8); // cpu sends +0 for a −0 gradient (0 + dy)
      const inputs = { dy: { values: dy, shape: outShape }, input: { values: xs, shape: x }, output: { values: new Float32Array(size(outShape)), shape: outShape } };
      const cpu = await run('MaxPoolGrad', 'cpu', inputs, attrs);
      const wasm = await run('MaxPoolGrad', 'wasm', inputs, attrs);
      expect(Array.from(wasm)).toEqual(Array.from(cpu));
      // tfjs's own wasm kernel gets these ties wrong: this test sees a wrong kernel.
      if (x[0] === 256) expect(relError(await runConfig(stockKernel('MaxPoolGrad', 'wasm')!, inputs, attrs), cpu)).toBeGreaterThan(1e-3);
    });
  }
});

describe('MaxPool and Relu (SIMD forward): bit-identical to cpu, NaN and −0 included', () => {
  const special = (v: Float32Array) => {
    v.set([NaN, 1, -0, -Infinity, NaN, NaN, NaN, NaN], 0);
    return v;
  };
  const cases: Array<{ x: Shape4; f: number; s: number; pad: 'valid' | 'same' }> = [
    { x: [256, 26, 26, 8], f: 2, s: 2, pad: 'valid' },
    { x: [1, 11, 11, 16], f: 2, s: 2, pad: 'valid' },
    { x: [2, 9, 9, 6], f: 3, s: 2, pad: 'same' },
    { x: [1, 7, 7, 3], f: 3, s: 1, pad: 'same' },
    { x: [2, 7, 7, 4], f: 2, s: 2, pad: 'same' }, // the last window hangs over the border
  ];
  for (const { x, f, s, pad } of cases) {
    it(`MaxPool x [${x.join(', ')}], ${f}×${f} stride ${s} ${pad}`, async () => {
      const attrs = { filterSize: [f, f], strides: [s, s], pad, dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
      const inputs = { x: { values: special(ties(size(x), 3)), shape: x } };
      const cpu = await run('MaxPool', 'cpu', inputs, attrs);
      expect(Array.from(await run('MaxPool', 'wasm', inputs, attrs))).toEqual(Array.from(cpu));
    });
  }
  it('Relu', async () => {
    const inputs = { x: { values: special(random(256 * 11 * 11 * 16 + 3, 4)), shape: [256 * 11 * 11 * 16 + 3] } };
    const cpu = await run('Relu', 'cpu', inputs, {});
    const wasm = await run('Relu', 'wasm', inputs, {});
    expect(Array.from(wasm)).toEqual(Array.from(cpu));
    expect(Object.is(wasm[2], 0)).toBe(true); // −0 → +0, as Math.max(0, −0)
  });
});

describe('Conv2DBackpropFilter (SIMD) against cpu', () => {
  const cases: Array<{ x: Shape4; f: number; cout: number; s: number; pad: 'valid' | 'same' }> = [
    { x: [256, 28, 28, 1], f: 3, cout: 8, s: 1, pad: 'valid' }, // bench CNN conv1
    { x: [256, 13, 13, 8], f: 3, cout: 16, s: 1, pad: 'valid' }, // bench CNN conv2
    { x: [1, 28, 28, 1], f: 3, cout: 8, s: 1, pad: 'same' },
    { x: [2, 9, 9, 1], f: 4, cout: 8, s: 2, pad: 'same' }, // one input channel: filter taps paired where they can be
    { x: [2, 9, 9, 3], f: 5, cout: 24, s: 2, pad: 'same' }, // 16 + 8 output channels, odd input channels
    { x: [2, 9, 9, 2], f: 2, cout: 4, s: 2, pad: 'valid' }, // the last row/column is never read
    { x: [3, 8, 7, 6], f: 3, cout: 12, s: 1, pad: 'same' }, // 8 + 4
    { x: [2, 6, 6, 4], f: 3, cout: 5, s: 1, pad: 'same' }, // not a multiple of 4: the XNNPACK route
  ];
  for (const { x, f, cout, s, pad } of cases) {
    it(`x [${x.join(', ')}], ${f}×${f}×${cout} stride ${s} ${pad}`, async () => {
      const filterShape: Shape4 = [f, f, x[3], cout];
      const attrs = { strides: [s, s], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape } as unknown as tf.NamedAttrMap;
      const dyShape = tf.tidy(() => tf.conv2d(tf.zeros(x) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, s, pad).shape);
      const inputs = { x: { values: random(size(x), 1), shape: x }, dy: { values: random(size(dyShape), 2), shape: dyShape } };
      const cpu = await run('Conv2DBackpropFilter', 'cpu', inputs, attrs);
      const wasm = await run('Conv2DBackpropFilter', 'wasm', inputs, attrs);
      // float32 sums along each output row, float64 across rows and images: close to cpu's float64.
      expect(relError(wasm, cpu)).toBeLessThan(1e-6);
    });
  }
});

describe('Conv2D (SIMD direct convolution) against cpu', () => {
  const cases: Array<{ x: Shape4; f: [number, number]; cout: number; s: number; pad: 'valid' | 'same' | number[][] }> = [
    { x: [32, 28, 28, 1], f: [3, 3], cout: 8, s: 1, pad: 'valid' }, // bench CNN conv1 (cpu's conv is slow: 32 digits)
    { x: [64, 13, 13, 8], f: [3, 3], cout: 16, s: 1, pad: 'valid' }, // bench CNN conv2
    { x: [1, 11, 11, 16], f: [3, 3], cout: 8, s: 1, pad: [[0, 0], [2, 2], [2, 2], [0, 0]] }, // the input-gradient conv
    { x: [2, 9, 8, 3], f: [5, 3], cout: 24, s: 2, pad: 'same' }, // 16 + 8 channels, strided, padded
    { x: [3, 7, 10, 5], f: [2, 4], cout: 12, s: 1, pad: 'same' }, // 8 + 4, asymmetric padding
    { x: [1, 6, 6, 2], f: [3, 3], cout: 4, s: 3, pad: 'valid' },
    { x: [2, 5, 5, 3], f: [5, 5], cout: 4, s: 1, pad: 'valid' }, // one output pixel
    { x: [2, 6, 6, 4], f: [3, 3], cout: 6, s: 1, pad: 'same' }, // not a multiple of 4: XNNPACK
  ];
  for (const { x, f, cout, s, pad } of cases) {
    it(`x [${x.join(', ')}], ${f.join('×')}×${cout} stride ${s} ${JSON.stringify(pad)}`, async () => {
      const filterShape = [f[0], f[1], x[3], cout];
      const attrs = { strides: [s, s], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
      const inputs = { x: { values: random(size(x), 21), shape: x }, filter: { values: random(size(filterShape), 22), shape: filterShape } };
      const cpu = await run('Conv2D', 'cpu', inputs, attrs);
      const wasm = await run('Conv2D', 'wasm', inputs, attrs);
      expect(relError(wasm, cpu)).toBeLessThan(1e-6);
    });
  }
});

describe('Conv2DBackpropInput (one forward conv with the flipped filter) against cpu', () => {
  const cases: Array<{ x: Shape4; f: number; cout: number; s: number; pad: 'valid' | 'same' }> = [
    { x: [256, 13, 13, 8], f: 3, cout: 16, s: 1, pad: 'valid' }, // bench CNN conv2
    { x: [1, 28, 28, 1], f: 3, cout: 8, s: 1, pad: 'same' },
    { x: [2, 9, 8, 3], f: 5, cout: 6, s: 1, pad: 'same' },
    { x: [2, 7, 7, 4], f: 2, cout: 3, s: 1, pad: 'same' }, // even filter: asymmetric padding
    { x: [2, 9, 9, 3], f: 3, cout: 4, s: 2, pad: 'same' }, // strided: tfjs's own kernel
  ];
  for (const { x, f, cout, s, pad } of cases) {
    it(`x [${x.join(', ')}], ${f}×${f}×${cout} stride ${s} ${pad}`, async () => {
      const filterShape: Shape4 = [f, f, x[3], cout];
      const attrs = { strides: [s, s], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: x } as unknown as tf.NamedAttrMap;
      const dyShape = tf.tidy(() => tf.conv2d(tf.zeros(x) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, s, pad).shape);
      const inputs = { dy: { values: random(size(dyShape), 3), shape: dyShape }, filter: { values: random(size(filterShape), 4), shape: filterShape } };
      const cpu = await run('Conv2DBackpropInput', 'cpu', inputs, attrs);
      const wasm = await run('Conv2DBackpropInput', 'wasm', inputs, attrs);
      expect(relError(wasm, cpu)).toBeLessThan(2e-6);
    });
  }
});

describe('BatchMatMul with transposed operands (transpose, then XNNPACK) against cpu', () => {
  const cases: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
    { a: [256, 784], b: [256, 128], ta: true, tb: false }, // the MLP's dW1
    { a: [64, 10], b: [128, 10], ta: false, tb: true }, // its dh
    { a: [3, 7, 5], b: [3, 6, 7], ta: true, tb: true },
    { a: [1, 5, 9], b: [4, 9, 2], ta: false, tb: false }, // broadcast batch, no transpose: the stock kernel
  ];
  for (const { a, b, ta, tb } of cases) {
    it(`[${a.join('×')}]${ta ? 'ᵀ' : ''} · [${b.join('×')}]${tb ? 'ᵀ' : ''}`, async () => {
      const attrs = { transposeA: ta, transposeB: tb } as unknown as tf.NamedAttrMap;
      const inputs = { a: { values: random(size(a), 5), shape: a }, b: { values: random(size(b), 6), shape: b } };
      const cpu = await run('BatchMatMul', 'cpu', inputs, attrs);
      const wasm = await run('BatchMatMul', 'wasm', inputs, attrs);
      expect(relError(wasm, cpu)).toBeLessThan(1e-6);
    });
  }
});

describe('bias Add, Sum/Mean over leading axes, ReLU gradient (SIMD): bit-identical', () => {
  it('Add: [32, 26, 26, 8] + [8], [3, 5, 7] + [1, 7] (either order), and shapes that are not a bias', async () => {
    const cases: Array<[number[], number[]]> = [
      [[32, 26, 26, 8], [8]],
      [[7], [3, 5, 7]].reverse() as [number[], number[]],
      [[1, 7], [3, 5, 7]],
      [[130, 6], [6]], // channels not a multiple of 4
      [[64, 10], [64, 10]], // same shapes: tfjs's own
    ];
    for (const [sa, sb] of cases) {
      const inputs = { a: { values: random(size(sa), 7), shape: sa }, b: { values: random(size(sb), 8), shape: sb } };
      const cpu = await run('Add', 'cpu', inputs, {});
      expect(Array.from(await run('Add', 'wasm', inputs, {})), `[${sa}] + [${sb}]`).toEqual(Array.from(cpu));
    }
  });

  it('Sum and Mean over the leading axes (bias gradients) in float64, as the cpu backend', async () => {
    const cases: Array<{ shape: number[]; axis: number[] }> = [
      { shape: [256, 26, 26, 8], axis: [0, 1, 2] },
      { shape: [256, 11, 11, 16], axis: [0, 1, 2] },
      { shape: [256, 128], axis: [0] },
      { shape: [256, 10], axis: [0] },
      { shape: [100, 13], axis: [0] }, // 8 + 4 + 1 columns
    ];
    for (const { shape, axis } of cases) {
      // Terms that cancel: a float32 accumulator would be visibly off.
      const values = random(size(shape), 9, -1, 1).map((v, i) => (i % 2 ? v * 1e3 : v));
      const inputs = { x: { values, shape } };
      const cpu = await run('Sum', 'cpu', inputs, { axis, keepDims: false });
      expect(Array.from(await run('Sum', 'wasm', inputs, { axis, keepDims: false })), `Sum [${shape}]`).toEqual(Array.from(cpu));
      const mean = await run('Mean', 'wasm', inputs, { axis, keepDims: true });
      const cpuMean = await run('Mean', 'cpu', inputs, { axis, keepDims: true });
      expect(relError(mean, cpuMean), `Mean [${shape}]`).toBeLessThan(1e-6);
    }
  });

  it('the ReLU gradient equals dy·cast(step(x)) bit for bit (zeros, −0, NaN, ±∞)', async () => {
    const n = 256 * 11 * 11 * 16 + 3;
    const x = random(n, 12);
    const dy = random(n, 13);
    x.set([0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40], 0);
    dy.set([1, -1, 2, Infinity, NaN, -3, -Infinity], 0);
    const grad = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const xt = tf.tensor(x);
        const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), tf.tensor(dy))))(xt);
        return Float32Array.from(g.dataSync());
      });
    };
    const cpu = await grad('cpu');
    const wasm = await grad('wasm');
    expect(tf.getKernel(RELU_GRAD, 'wasm')).toBeDefined();
    expect(relError(wasm, cpu)).toBe(0);
    for (let i = 0; i < 16; i++) expect(Object.is(wasm[i], cpu[i]) || (Number.isNaN(wasm[i]) && Number.isNaN(cpu[i])), `element ${i}`).toBe(true);
  });

  it('Identity and same-dtype Cast share data (no copy) and stay valid after the input is freed', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1, 2, 3, 4]);
    const y = tf.clone(x); // Identity
    const z = tf.cast(x, 'float32');
    const w = tf.cast(x, 'int32');
    expect((tf.backend() as BackendWasm).refCount(x.dataId)).toBe(3);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(z.dataSync())).toEqual([1, 2, 3, 4]);
    expect(w.dtype).toBe('int32');
    tf.dispose([y, z, w]);
  });
});
