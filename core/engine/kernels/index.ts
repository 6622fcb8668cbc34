// Kernels the engine registers over (or in the gaps of) TensorFlow.js 4.22's own:
//   Conv2DBackpropFilter on wasm (missing: CNN training throws) and on cpu (the stock one is correct but ~200×
//   slower; ours gives bit-identical results), MaxPoolGrad on wasm (the stock one is wrong: see max-pool-grad.ts;
//   ours is also 1.4–2.6× faster) and on cpu (bit-identical results, 25–40× faster), Sum and Mean on wasm (the
//   stock ones accumulate in float32: up to 2.5e-5 relative error on bias and batch-norm gradients; ours add in
//   float64 as cpu does, see reduce-sum.ts).
// Depthwise-conv gradients are not provided: the model spec has no depthwise or separable convolution.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  Conv2DBackpropFilter,
  getKernel,
  MaxPoolGrad,
  Mean,
  registerKernel,
  Sum,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
} from '@tensorflow/tfjs-core';
import { makeConv2DBackpropFilter, makeConv2DBackpropFilterCpu } from './conv2d-backprop-filter.js';
import { maxPoolGradCpu, maxPoolGradWasm } from './max-pool-grad.js';
import { makeReduceSumWasm } from './reduce-sum.js';

export { maxPoolGradInto } from './max-pool-grad.js';
export { filterGradInto } from './conv2d-backprop-filter.js';
export { reduceSumInto } from './reduce-sum.js';

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
  { kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: ours(makeConv2DBackpropFilter('wasm')) },
  {
    kernelName: Conv2DBackpropFilter,
    backendName: 'cpu',
    kernelFunc: ours(makeConv2DBackpropFilterCpu(() => stockKernel(Conv2DBackpropFilter, 'cpu')?.kernelFunc ?? null)),
  },
  { kernelName: MaxPoolGrad, backendName: 'wasm', kernelFunc: ours(maxPoolGradWasm) },
  { kernelName: MaxPoolGrad, backendName: 'cpu', kernelFunc: ours(maxPoolGradCpu) },
  { kernelName: Sum, backendName: 'wasm', kernelFunc: ours(makeReduceSumWasm(false, () => stockKernel(Sum, 'wasm'))) },
  { kernelName: Mean, backendName: 'wasm', kernelFunc: ours(makeReduceSumWasm(true, () => stockKernel(Mean, 'wasm'))) },
];

// Shared by every copy of this module in the process (the kernel registry itself is process-global).
const STOCK = Symbol.for('layerwise.stockKernels');
const stock: Map<string, KernelConfig | null> = ((globalThis as { [STOCK]?: Map<string, KernelConfig | null> })[STOCK] ??=
  new Map());
const key = (kernelName: string, backendName: string) => `${backendName}_${kernelName}`;

/**
 * Registers the engine's kernels (idempotent: a second call, even from another copy of this module, changes
 * nothing). The kernels they replace stay reachable through `stockKernel` (tests compare against them).
 */
export function registerEngineKernels(): void {
  for (const config of ENGINE_KERNELS) {
    const existing = getKernel(config.kernelName, config.backendName);
    if (isOurs(existing)) continue;
    const k = key(config.kernelName, config.backendName);
    if (!stock.has(k)) stock.set(k, existing ?? null);
    // registerKernel warns when overwriting; unregister the stock kernel first.
    if (existing) unregisterKernel(config.kernelName, config.backendName);
    registerKernel(config);
  }
}

/** Puts tfjs's own kernels back (tests use it to measure the stock behaviour). */
export function unregisterEngineKernels(): void {
  for (const config of ENGINE_KERNELS) {
    const existing = getKernel(config.kernelName, config.backendName);
    if (!isOurs(existing)) continue;
    unregisterKernel(config.kernelName, config.backendName);
    const original = stock.get(key(config.kernelName, config.backendName));
    if (original) registerKernel(original);
  }
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
