// Kernels the engine registers over (or in the gaps of) TensorFlow.js 4.22's own:
//   Conv2DBackpropFilter on wasm (missing: CNN training throws) and on cpu (the stock one is correct but ~200×
//   slower; ours gives bit-identical results), MaxPoolGrad on wasm (the stock one is wrong: see max-pool-grad.ts;
//   ours is also 1.4–2.6× faster) and on cpu (bit-identical results, 25–40× faster), Sum and Mean on wasm (the
//   stock ones accumulate in float32: up to 2.5e-5 relative error on bias and batch-norm gradients; ours add in
//   float64 as cpu does, see reduce-sum.ts).
// The gradients the newer layer types need and wasm lacks (UnsortedSegmentSum for the embedding, the depthwise
// convolution's filter and input gradients) come from ./layer-gaps.ts, with a one-pass UnsortedSegmentSum on cpu.
//
// For speed on wasm (bench/step-profile.ts; the small CNN's step at batch 256 fell from ~112 to ~30 ms here):
//   our WebAssembly SIMD kernels (simd/assembly, AssemblyScript, built by scripts/build-kernels.mjs, run in place on
//   tfjs-wasm's own memory) for Conv2D, Conv2DBackpropFilter, MaxPool, MaxPoolGrad, Relu and its gradient, the bias
//   Add and the bias-gradient Sum/Mean; Conv2DBackpropInput as one forward conv with the flipped filter; BatchMatMul
//   with transposed operands as Transpose + XNNPACK; Identity and same-dtype Cast sharing data. Without the generated
//   SIMD module each falls back to the previous kernel (one warning line). Every one is checked against the cpu
//   backend in tests/engine/kernels-simd.test.ts.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  Add,
  BatchMatMul,
  Cast,
  Conv2D,
  engine,
  getGradient,
  Identity,
  registerGradient,
  Relu,
  Tile,
  type GradConfig,
  type KernelBackend,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  FusedBatchNorm,
  FusedConv2D,
  _FusedMatMul,
  getKernel,
  MaxPool,
  MaxPoolGrad,
  Mean,
  registerKernel,
  Sum,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
} from '@tensorflow/tfjs-core';
import { makeConv2DBackpropFilter, makeConv2DBackpropFilterCpu, makeConv2DBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { makeMaxPoolWasm, maxPoolGradCpu, maxPoolGradWasm, maxPoolGradWasmJs } from './max-pool-grad.js';
import { loadSimdKernels } from './simd/index.js';
import { makeReduceSumWasm } from './reduce-sum.js';
import { makeBatchMatMulWasm, makeFusedMatMulWasm } from './matmul.js';
import { makeConv2DBackpropInputWasm } from './conv2d-backprop-input.js';
import { makeConv2DWasm, makeFusedConv2DWasm } from './conv2d.js';
import { makeStockCaller } from './util.js';
import { LAYER_GAP_KERNELS, tileGradConfig } from './layer-gaps.js';
import {
  BATCH_NORM_GRAD,
  BATCH_NORM_TRAIN,
  batchNormGradWasm,
  batchNormTrainGradConfig,
  batchNormTrainWasm,
  FUSED_BATCH_NORM_GRAD,
  fusedBatchNormGradWasm,
  makeFusedBatchNormGradConfig,
  makeFusedBatchNormWasm,
} from './batch-norm.js';
import { makeAddWasm, makeCastWasm, makeIdentityWasm, makeReluWasm, RELU_GRAD, reluGradConfig, reluGradWasm } from './elementwise.js';

export { maxPoolGradInto } from './max-pool-grad.js';
export { filterGradInto } from './conv2d-backprop-filter.js';
export { reduceSumInto } from './reduce-sum.js';
export { loadSimdKernels, simdKernels } from './simd/index.js';
export { batchNormalization, FastBatchNormalization, fusedBatchNormAvailable } from './batch-norm.js';

/** Marks our kernel functions, so a second copy of this module (or a second call) recognises them. */
const OURS = Symbol.for('layerwise.engineKernel');

function ours(fn: KernelFunc): KernelFunc {
  (fn as KernelFunc & { [OURS]?: true })[OURS] = true;
  return fn;
}

function isOurs(config: KernelConfig | undefined): boolean {
  return !!config && (config.kernelFunc as KernelFunc & { [OURS]?: true })[OURS] === true;
}

/** Every kernel the engine registers, as kernelName/backendName pairs. */
export const ENGINE_KERNELS: ReadonlyArray<KernelConfig> = [
  { kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: ours(makeConv2DBackpropFilterWasm()) },
  {
    kernelName: Conv2DBackpropFilter,
    backendName: 'cpu',
    kernelFunc: ours(makeConv2DBackpropFilterCpu(() => stockKernel(Conv2DBackpropFilter, 'cpu')?.kernelFunc ?? null)),
  },
  { kernelName: MaxPoolGrad, backendName: 'wasm', kernelFunc: ours(maxPoolGradWasm) },
  { kernelName: MaxPoolGrad, backendName: 'cpu', kernelFunc: ours(maxPoolGradCpu) },
  { kernelName: Sum, backendName: 'wasm', kernelFunc: ours(makeReduceSumWasm(false, () => stockKernel(Sum, 'wasm'))) },
  { kernelName: Mean, backendName: 'wasm', kernelFunc: ours(makeReduceSumWasm(true, () => stockKernel(Mean, 'wasm'))) },
  {
    kernelName: BatchMatMul,
    backendName: 'wasm',
    kernelFunc: ours(makeBatchMatMulWasm(makeStockCaller(BatchMatMul, () => stockKernel(BatchMatMul, 'wasm')))),
  },
  {
    kernelName: _FusedMatMul,
    backendName: 'wasm',
    kernelFunc: ours(makeFusedMatMulWasm(makeStockCaller(_FusedMatMul, () => stockKernel(_FusedMatMul, 'wasm')))),
  },
  {
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: ours(makeConv2DBackpropInputWasm(makeStockCaller(Conv2DBackpropInput, () => stockKernel(Conv2DBackpropInput, 'wasm')))),
  },
  { kernelName: Identity, backendName: 'wasm', kernelFunc: ours(makeIdentityWasm(makeStockCaller(Identity, () => stockKernel(Identity, 'wasm')))) },
  { kernelName: Cast, backendName: 'wasm', kernelFunc: ours(makeCastWasm(makeStockCaller(Cast, () => stockKernel(Cast, 'wasm')))) },
  { kernelName: Add, backendName: 'wasm', kernelFunc: ours(makeAddWasm(makeStockCaller(Add, () => stockKernel(Add, 'wasm')))) },
  { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: ours(reluGradWasm) },
  { kernelName: Conv2D, backendName: 'wasm', kernelFunc: ours(makeConv2DWasm(makeStockCaller(Conv2D, () => stockKernel(Conv2D, 'wasm')))) },
  {
    kernelName: FusedConv2D,
    backendName: 'wasm',
    kernelFunc: ours(makeFusedConv2DWasm(makeStockCaller(FusedConv2D, () => stockKernel(FusedConv2D, 'wasm')))),
  },
  { kernelName: MaxPool, backendName: 'wasm', kernelFunc: ours(makeMaxPoolWasm(makeStockCaller(MaxPool, () => stockKernel(MaxPool, 'wasm')))) },
  { kernelName: Relu, backendName: 'wasm', kernelFunc: ours(makeReluWasm(makeStockCaller(Relu, () => stockKernel(Relu, 'wasm')))) },
  ...LAYER_GAP_KERNELS.map((config) => ({ ...config, kernelFunc: ours(config.kernelFunc) })),
  {
    kernelName: FusedBatchNorm,
    backendName: 'wasm',
    kernelFunc: ours(makeFusedBatchNormWasm(makeStockCaller(FusedBatchNorm, () => stockKernel(FusedBatchNorm, 'wasm')))),
  },
  { kernelName: BATCH_NORM_TRAIN, backendName: 'wasm', kernelFunc: ours(batchNormTrainWasm) },
  { kernelName: BATCH_NORM_GRAD, backendName: 'wasm', kernelFunc: ours(batchNormGradWasm) },
  { kernelName: FUSED_BATCH_NORM_GRAD, backendName: 'wasm', kernelFunc: ours(fusedBatchNormGradWasm) },
];

/**
 * The wasm kernels the engine registered before its SIMD kernels and the BatchMatMul/Conv2DBackpropInput overrides
 * (bench/step-profile.ts --compare measures against them; kernel names missing here run tfjs's own). Not registered.
 */
export const BEFORE_KERNELS: ReadonlyArray<KernelConfig> = [
  { kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: ours(makeConv2DBackpropFilter('wasm')) },
  { kernelName: MaxPoolGrad, backendName: 'wasm', kernelFunc: ours(maxPoolGradWasmJs) },
  { kernelName: Sum, backendName: 'wasm', kernelFunc: ours(makeReduceSumWasm(false, () => stockKernel(Sum, 'wasm'), false)) },
  { kernelName: Mean, backendName: 'wasm', kernelFunc: ours(makeReduceSumWasm(true, () => stockKernel(Mean, 'wasm'), false)) },
];

// Shared by every copy of this module in the process (the kernel registry itself is process-global).
const STOCK = Symbol.for('layerwise.stockKernels');
const stock: Map<string, KernelConfig | null> = ((globalThis as { [STOCK]?: Map<string, KernelConfig | null> })[STOCK] ??=
  new Map());
const STOCK_GRADIENTS = Symbol.for('layerwise.stockGradients');
const stockGradients: Map<string, GradConfig | null> = ((globalThis as { [STOCK_GRADIENTS]?: Map<string, GradConfig | null> })[
  STOCK_GRADIENTS
] ??= new Map());
const key = (kernelName: string, backendName: string) => `${backendName}_${kernelName}`;

/** FusedBatchNorm's gradient: ours on wasm (batch-norm.ts), tfjs's own (kept here when replaced) elsewhere. */
const fusedBatchNormGradConfig: GradConfig = makeFusedBatchNormGradConfig(() => stockGradients.get(FusedBatchNorm) ?? null);

/**
 * Registers the engine's kernels (idempotent: a second call, even from another copy of this module, changes
 * nothing). The kernels they replace stay reachable through `stockKernel` (tests compare against them).
 */
export function registerEngineKernels(): void {
  // The SIMD kernels load asynchronously (backends/wasm.ts awaits them before training); until then, or without
  // them, the wasm kernels run their previous versions.
  void loadSimdKernels();
  for (const config of ENGINE_KERNELS) {
    const existing = getKernel(config.kernelName, config.backendName);
    if (isOurs(existing)) continue;
    const k = key(config.kernelName, config.backendName);
    if (!stock.has(k)) stock.set(k, existing ?? null);
    // registerKernel warns when overwriting; unregister the stock kernel first.
    if (existing) unregisterKernel(config.kernelName, config.backendName);
    registerKernel(config);
  }
  // The fused batch-norm kernel's gradient (batch-norm.ts; our own kernel name, so nothing of tfjs's is replaced), and
  // FusedBatchNorm's (tfjs's own everywhere but wasm).
  if (getGradient(BATCH_NORM_TRAIN) !== batchNormTrainGradConfig) registerGradient(batchNormTrainGradConfig);
  const bnGrad = getGradient(FusedBatchNorm) as GradConfig | undefined;
  if (bnGrad !== fusedBatchNormGradConfig) {
    if (!stockGradients.has(FusedBatchNorm)) stockGradients.set(FusedBatchNorm, bnGrad ?? null);
    registerGradient(fusedBatchNormGradConfig);
  }
  // The ReLU gradient as one kernel on wasm (elementwise.ts; other backends keep tfjs's formula).
  const grad = getGradient(Relu) as GradConfig | undefined;
  if (grad !== reluGradConfig) {
    if (!stockGradients.has(Relu)) stockGradients.set(Relu, grad ?? null);
    registerGradient(reluGradConfig);
  }
  // Tile's gradient as one reshape and sum on every backend (layer-gaps.ts).
  const tileGrad = getGradient(Tile) as GradConfig | undefined;
  if (tileGrad !== tileGradConfig) {
    if (!stockGradients.has(Tile)) stockGradients.set(Tile, tileGrad ?? null);
    registerGradient(tileGradConfig);
  }
}

/** Puts tfjs's own kernels back (tests use it to measure the stock behaviour). */
export function unregisterEngineKernels(): void {
  for (const config of ENGINE_KERNELS) {
    const existing = getKernel(config.kernelName, config.backendName);
    if (!isOurs(existing)) continue;
    unregisterKernel(config.kernelName, config.backendName);
    const original = stock.get(key(config.kernelName, config.backendName));
    if (original) {
      registerKernel(original);
      // Its setup (binding its wasm function) never ran if ours was registered before the backend started.
      const started = (engine() as unknown as { registry: Record<string, KernelBackend | undefined> }).registry[config.backendName];
      if (started) original.setupFunc?.(started);
    }
  }
  const reluGrad = stockGradients.get(Relu);
  if (reluGrad && getGradient(Relu) === reluGradConfig) registerGradient(reluGrad);
  const tileGrad = stockGradients.get(Tile);
  if (tileGrad && getGradient(Tile) === tileGradConfig) registerGradient(tileGrad);
  const bnGrad = stockGradients.get(FusedBatchNorm);
  if (bnGrad && getGradient(FusedBatchNorm) === fusedBatchNormGradConfig) registerGradient(bnGrad);
}

/**
 * The kernel tfjs itself registered for that name and backend (null when it has none, e.g. wasm's
 * Conv2DBackpropFilter), whether or not the engine's replacement is registered now.
 */
export function stockKernel(kernelName: string, backendName: string): KernelConfig | null {
  const k = key(kernelName, backendName);
  if (stock.has(k)) return stock.get(k) ?? null;
  const current = getKernel(kernelName, backendName);
  return current && !isOurs(current) ? current : null;
}
