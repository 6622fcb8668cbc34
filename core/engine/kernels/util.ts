import { getKernel, type KernelBackend, type KernelConfig, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';

export type Backend = KernelBackend;

/**
 * Runs another kernel of the same backend directly (not through the engine, so nothing is taped or tracked);
 * the caller owns the result and disposes it with `backend.disposeData`.
 */
export function callKernel(
  kernelName: string,
  backendName: string,
  backend: Backend,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = getKernel(kernelName, backendName);
  if (!kernel) throw new Error(`kernel ${kernelName} is not registered for backend '${backendName}'`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`kernel ${kernelName} returned several outputs`);
  return out;
}

/**
 * Calls tfjs's own kernel (`config`, from stockKernel) even when ours is registered in its place: runs its setupFunc
 * once per backend first (tfjs runs setup only for the kernel registered when the backend starts).
 */
export function makeStockCaller(
  name: string,
  config: () => KernelConfig | null,
): (backend: Backend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap) => TensorInfo {
  const setUp = new WeakSet<Backend>();
  return (backend, inputs, attrs) => {
    const stock = config();
    if (!stock) throw new Error(`tfjs has no kernel ${name} of its own for this backend`);
    if (!setUp.has(backend)) {
      stock.setupFunc?.(backend);
      setUp.add(backend);
    }
    const out = stock.kernelFunc({ inputs, backend, attrs });
    if (Array.isArray(out)) throw new Error(`kernel ${name} returned several outputs`);
    return out;
  };
}
