import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { cpuModel } from './device.js';
import { loadSimdKernels, simdVariant } from '../kernels/simd/index.js';

const BINARY = 'tfjs-backend-wasm-simd.wasm';

/** The tfjs-backend-wasm dist folder, which holds the .wasm binaries. */
export function wasmDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
}

export async function wasmDevice(): Promise<string> {
  // Which build of the engine's kernels runs (relaxed SIMD or not) is part of the device.
  await loadSimdKernels();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = tf.getBackend() === 'wasm' ? getThreadsCount() : 1;
  // 'relaxed SIMD': the engine's kernels run their FMA build (kernels/simd/relaxed.ts); results differ from the plain
  // build's in the last bits, so the run card says which one trained.
  const relaxed = simdVariant() === 'relaxed' ? ', relaxed SIMD' : '';
  return `${cpuModel()} (WebAssembly${simd ? ' SIMD' : ''}${relaxed}, ${threads} thread${threads === 1 ? '' : 's'})`;
}

/** Why wasm cannot run here, or null. Starts nothing. */
export function wasmUnavailable(): string | null {
  if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object') return 'this runtime has no WebAssembly';
  let dir: string;
  try {
    dir = wasmDir();
  } catch (e) {
    return `@tensorflow/tfjs-backend-wasm cannot be resolved: ${(e as Error).message}`;
  }
  if (!existsSync(join(dir, BINARY))) return `${join(dir, BINARY)} is missing`;
  return null;
}

let pathsSet = false;

export async function startWasm(): Promise<string> {
  const why = wasmUnavailable();
  if (why) throw new Error(why);
  // The trailing slash matters: without it setBackend('wasm') quietly returns false.
  if (!pathsSet) setWasmPaths(`${wasmDir()}/`);
  pathsSet = true;
  if (!(await tf.setBackend('wasm'))) {
    throw new Error(`the WebAssembly binaries in ${wasmDir()} failed to load (tf.setBackend('wasm') returned false)`);
  }
  // The engine's SIMD kernels (never throws: without them the previous kernels run, after one warning line).
  await loadSimdKernels();
  return wasmDevice();
}
