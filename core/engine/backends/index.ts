// Picks, starts and describes the TensorFlow.js backend a run trains on.
//   'auto': tensorflow (native libtensorflow, when the user installed @tensorflow/tfjs-node[-gpu]) → webgpu (Dawn,
//   hardware adapters only) → wasm → cpu. An explicit choice that cannot start throws, naming the backend and why.
// Every start also registers the engine's kernels (../kernels), which fill tfjs 4.22's gaps and fix its bugs.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// Under Node, tfjs-core's CommonJS build registers no gradients; tfjs-layers' build registers them all.
import '@tensorflow/tfjs-layers';
import { registerEngineKernels } from '../kernels/index.js';
import { cpuModel, firstLine } from './device.js';
import { loadTensorflow, startTensorflow } from './tensorflow.js';
import { startWasm, wasmDevice, wasmUnavailable } from './wasm.js';
import { findAdapter, startWebgpu, stopWebgpu } from './webgpu.js';

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

export interface BackendInfo {
  name: BackendName;
  /** What it runs on, e.g. 'Intel Xeon CPU @ 2.20GHz (WebAssembly SIMD, 1 thread)', 'NVIDIA H200 via libtensorflow CUDA'. */
  device: string;
  /** For 'auto': why the backends preferred to this one were passed over. */
  fallbackReason?: string;
}

export interface BackendProbe {
  name: BackendName;
  available: boolean;
  device?: string;
  reason?: string;
}

export interface InitOptions {
  log?: (line: string) => void;
}

type Started = { ok: true; device: string } | { ok: false; reason: string };

async function start(name: BackendName, auto: boolean): Promise<Started> {
  try {
    switch (name) {
      case 'tensorflow': {
        const t = loadTensorflow();
        if (!t.ok) return t;
        return { ok: true, device: await startTensorflow() };
      }
      case 'webgpu': {
        const found = await findAdapter(!auto);
        if (!found.ok) return found;
        return { ok: true, device: await startWebgpu(found) };
      }
      case 'wasm':
        return { ok: true, device: await startWasm() };
      case 'cpu':
        if (!(await tf.setBackend('cpu'))) return { ok: false, reason: "tf.setBackend('cpu') returned false" };
        // Its first write prints a banner urging tfjs-node on stderr; backend selection is this module's job.
        (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
        return { ok: true, device: cpuDevice() };
    }
  } catch (e) {
    return { ok: false, reason: firstLine(e) };
  }
}

function cpuDevice(): string {
  return `${cpuModel()} (JavaScript, 1 thread)`;
}

const started = new Map<BackendName | 'auto', Promise<BackendInfo>>();
const resolved = new Map<BackendName | 'auto', BackendInfo>();

/**
 * Starts a backend and makes it tfjs's current one. Idempotent: asking again for the same choice returns the same
 * info (and makes that backend current again if something switched away). Different choices may follow each other
 * in one process (tests switch between cpu and wasm).
 */
export async function initBackend(choice: BackendName | 'auto' = 'auto', opts: InitOptions = {}): Promise<BackendInfo> {
  if (choice !== 'auto' && !BACKEND_NAMES.includes(choice)) {
    throw new Error(`Unknown backend '${String(choice)}': expected one of auto, ${BACKEND_NAMES.join(', ')}`);
  }
  registerEngineKernels();
  let pending = started.get(choice);
  if (!pending) {
    pending = choice === 'auto' ? startAuto(opts.log) : startExplicit(choice, opts.log);
    started.set(choice, pending);
    pending.then(
      (info) => resolved.set(choice, info),
      () => started.delete(choice),
    );
  }
  const info = await pending;
  if (tf.getBackend() !== info.name && !(await tf.setBackend(info.name))) {
    started.delete(choice);
    resolved.delete(choice);
    throw new Error(`Backend '${info.name}' started earlier but can no longer be selected`);
  }
  return info;
}

async function startExplicit(name: BackendName, log?: (line: string) => void): Promise<BackendInfo> {
  const r = await start(name, false);
  if (!r.ok) throw new Error(`Backend '${name}' is not available: ${r.reason}`);
  log?.(`backend: ${name} on ${r.device}`);
  return { name, device: r.device };
}

async function startAuto(log?: (line: string) => void): Promise<BackendInfo> {
  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    const r = await start(name, true);
    if (r.ok) {
      log?.(`backend: ${name} on ${r.device}`);
      return skipped.length ? { name, device: r.device, fallbackReason: skipped.join('; ') } : { name, device: r.device };
    }
    skipped.push(`${name}: ${r.reason}`);
    log?.(`backend: ${name} unavailable (${r.reason})`);
  }
  throw new Error(`No backend could start: ${skipped.join('; ')}`);
}

/**
 * What each backend would run on here, without changing the current backend (webgpu reports software adapters as
 * available, with the reason 'auto' passes them over).
 */
export async function probeBackends(): Promise<BackendProbe[]> {
  const out: BackendProbe[] = [];
  const t = loadTensorflow();
  out.push(t.ok ? { name: 'tensorflow', available: true, device: t.device } : { name: 'tensorflow', available: false, reason: t.reason });
  const hardware = await findAdapter(false);
  if (hardware.ok) {
    out.push({ name: 'webgpu', available: true, device: hardware.device });
  } else {
    const any = await findAdapter(true);
    out.push(
      any.ok
        ? { name: 'webgpu', available: true, device: any.device, reason: `software adapter: 'auto' prefers wasm (${hardware.reason})` }
        : { name: 'webgpu', available: false, reason: any.reason },
    );
  }
  const w = wasmUnavailable();
  out.push(w ? { name: 'wasm', available: false, reason: w } : { name: 'wasm', available: true, device: await wasmDevice() });
  out.push({ name: 'cpu', available: true, device: cpuDevice() });
  return out;
}

/** Lets go of the GPU (Dawn keeps the process alive while it is held); a later initBackend starts afresh. */
export function releaseBackends(): void {
  stopWebgpu();
  for (const [choice, info] of resolved) {
    if (info.name !== 'webgpu') continue;
    resolved.delete(choice);
    started.delete(choice);
  }
}
