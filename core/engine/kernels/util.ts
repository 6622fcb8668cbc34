import { getKernel, type KernelBackend, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';

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
