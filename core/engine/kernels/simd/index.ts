// Loads the engine's own WebAssembly SIMD kernels (./assembly, built by scripts/build-kernels.mjs into ./generated)
// and instantiates them on tfjs-backend-wasm's own memory: tfjs-wasm 4.22's non-threaded build exports its
// WebAssembly.Memory (`backend.wasm.asm.memory`), which our module imports, so kernels read and write tensors in
// place (no copies). When the generated module is missing or cannot be instantiated, `simdKernels()` returns null and
// the engine keeps its previous kernels (one warning line).
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export interface SimdKernels {
  maxPoolGrad(
    x: number, dy: number, dx: number, acc: number,
    batch: number, h: number, w: number, c: number, oh: number, ow: number,
    sh: number, sw: number, fh: number, fw: number, top: number, left: number,
  ): void;
  filterGrad(
    x: number, dy: number, dw: number, acc: number,
    n: number, h: number, w: number, cin: number, oh: number, ow: number, cout: number,
    sh: number, sw: number, fh: number, fw: number, top: number, left: number,
  ): void;
  biasAdd(x: number, b: number, out: number, rows: number, k: number): void;
  sumColumns(x: number, out: number, rows: number, k: number, divisor: number): void;
  reluGrad(dy: number, x: number, dx: number, size: number): void;
  maxPool(
    x: number, out: number,
    batch: number, h: number, w: number, c: number, oh: number, ow: number,
    sh: number, sw: number, fh: number, fw: number, top: number, left: number,
  ): void;
  relu(x: number, out: number, size: number): void;
  bnColumnSums(x: number, m: number, sums: number, rows: number, c: number, mode: number): void;
  bnGradSums(x: number, dy: number, m: number, sums: number, rows: number, c: number): void;
  bnApply(x: number, m: number, k: number, t: number, out: number, rows: number, c: number, relu: number): void;
  bnGradApply(x: number, dy: number, m: number, coef: number, dx: number, rows: number, c: number): void;
  conv2d(
    x: number, w: number, out: number,
    n: number, h: number, wd: number, cin: number, oh: number, ow: number, cout: number,
    sh: number, sw: number, fh: number, fw: number, top: number, left: number,
    bias: number, act: number,
  ): void;
  conv2dDot(
    x: number, w: number, out: number,
    n: number, h: number, wd: number, cin: number, oh: number, ow: number,
    sh: number, sw: number, fh: number, fw: number, top: number, left: number,
    bias: number, act: number,
  ): void;
  gemmPackB(b: number, bp: number, k: number, n: number, transB: number): void;
  gemm(a: number, rs: number, ks: number, bp: number, c: number, m: number, k: number, n: number, bias: number, act: number, scratch: number): void;
}

// The project's TypeScript libs (ES2023, Node types) do not declare WebAssembly: the little used here, typed.
interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  validate(bytes: Uint8Array): boolean;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: abstract new (...args: never[]) => object;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: WasmModule | null = null;
let variant: SimdVariant | null = null;
let loading: Promise<void> | null = null;
let warned = false;
const instances = new WeakMap<object, SimdKernels>();

function warn(why: string): void {
  if (warned) return;
  warned = true;
  console.warn(`layerwise: the engine's SIMD kernels are unavailable (${why}); using the previous kernels`);
}

/**
 * Which build runs: 'relaxed' (relaxed SIMD: FMA in the matrix product) where the runtime accepts it — Electron, Node
 * with --experimental-wasm-relaxed-simd (the trainer process gets it, trainer-client.ts), Node ≥ 22 — else 'plain'.
 * LAYERWISE_RELAXED_SIMD=0 forces the plain build (to compare the two).
 */
export type SimdVariant = 'relaxed' | 'plain';

/** The build loaded (null before loadSimdKernels resolves, or when the kernels are unavailable). */
export function simdVariant(): SimdVariant | null {
  return compiled ? variant : null;
}

/** Loads and compiles the generated module once (idempotent; never throws). */
export function loadSimdKernels(): Promise<void> {
  loading ??= import('./generated/kernels-wasm.js')
    .then((m: { KERNELS_WASM_BASE64: string; KERNELS_RELAXED_WASM_BASE64?: string }) => {
      const relaxed = m.KERNELS_RELAXED_WASM_BASE64 ? Buffer.from(m.KERNELS_RELAXED_WASM_BASE64, 'base64') : null;
      const useRelaxed = relaxed !== null && process.env.LAYERWISE_RELAXED_SIMD !== '0' && WA.validate(relaxed);
      compiled = new WA.Module(useRelaxed ? relaxed : Buffer.from(m.KERNELS_WASM_BASE64, 'base64'));
      variant = useRelaxed ? 'relaxed' : 'plain';
    })
    .catch((e: unknown) => warn(`${(e as Error).message.split('\n')[0]}; run \`node scripts/build-kernels.mjs\``));
  return loading;
}

/** The kernels bound to this wasm backend's memory, or null (not loaded yet, missing, or no exported memory). */
export function simdKernels(backend: BackendWasm): SimdKernels | null {
  if (!compiled) return null;
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof WA.Memory)) {
    warn('tfjs-backend-wasm does not export its memory');
    return null;
  }
  let k = instances.get(memory);
  if (!k) {
    try {
      // A plain copy of the (frozen) exports object, so profilers and tests can wrap an entry point.
      k = { ...(new WA.Instance(compiled, { env: { memory } }).exports as object) } as SimdKernels;
    } catch (e) {
      warn((e as Error).message);
      compiled = null;
      return null;
    }
    instances.set(memory, k);
  }
  return k;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: BackendWasm, dataId: object): number {
  return (backend.dataIdMap.get(dataId) as unknown as { memoryOffset: number }).memoryOffset;
}
