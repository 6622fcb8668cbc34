// The native TensorFlow backend (libtensorflow through @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node). Both are
// optional: they are not dependencies (their installers download libtensorflow), so they are loaded by a name built
// at run time that no bundler or type checker follows, and used only when the user's machine has one installed.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { cpuModel, firstLine } from './device.js';

const PACKAGES = [
  { name: ['@tensorflow', 'tfjs-node-gpu'].join('/'), gpu: true },
  { name: ['@tensorflow', 'tfjs-node'].join('/'), gpu: false },
] as const;

export type TensorflowFound = { ok: true; device: string } | { ok: false; reason: string };

let found: TensorflowFound | undefined;

/**
 * Loads the first native package present (once per process: the first answer is kept); starts nothing.
 * `from` is where packages are resolved from (tests point it at a folder of stand-ins).
 */
export function loadTensorflow(from: string = import.meta.url): TensorflowFound {
  if (found) return found;
  const require = createRequire(from);
  const reasons: string[] = [];
  for (const pkg of PACKAGES) {
    try {
      require(pkg.name);
    } catch (e) {
      const code = (e as { code?: string }).code;
      const missing = code === 'MODULE_NOT_FOUND' && firstLine(e).includes(`'${pkg.name}'`);
      reasons.push(`${pkg.name} ${missing ? 'is not installed' : `failed to load: ${firstLine(e)}`}`);
      continue;
    }
    if (!tf.findBackendFactory('tensorflow')) {
      reasons.push(`${pkg.name} loaded but registered no 'tensorflow' backend (a second copy of @tensorflow/tfjs-core?)`);
      continue;
    }
    const gpu = pkg.gpu ? gpuName() : null;
    const device = gpu
      ? `${gpu} via libtensorflow CUDA`
      : `${cpuModel()} via libtensorflow${pkg.gpu ? ' (GPU build, but nvidia-smi finds no NVIDIA GPU)' : ''}`;
    found = { ok: true, device };
    return found;
  }
  found = { ok: false, reason: reasons.join('; ') };
  return found;
}

function gpuName(): string | null {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\n')[0]!.trim() || null;
  } catch {
    return null;
  }
}

export async function startTensorflow(): Promise<string> {
  const t = loadTensorflow();
  if (!t.ok) throw new Error(t.reason);
  if (!(await tf.setBackend('tensorflow'))) throw new Error("tf.setBackend('tensorflow') returned false");
  return t.device;
}
