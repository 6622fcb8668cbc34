// WebGPU in Node through the `webgpu` npm package (Dawn). Two ways to an adapter:
//   1. Dawn's default (Vulkan on Linux, Metal on macOS, D3D12 on Windows): a real GPU, or a software Vulkan such as
//      Mesa ≥ 24's lavapipe.
//   2. Dawn's OpenGL ES backend in WebGPU compatibility mode over EGL's surfaceless platform: on Debian 12 this is
//      Mesa 22's llvmpipe, a software rasteriser (packages libegl1, libegl-mesa0, libgl1-mesa-dri).
// 'auto' takes only a hardware adapter (a software one trains ~10× slower than wasm); an explicit 'webgpu' takes
// whichever works.
import * as tf from '@tensorflow/tfjs-core';
import { firstLine } from './device.js';

type WebgpuModule = { create(options: string[]): GPU; globals: object };

export interface AdapterFound {
  ok: true;
  gpu: GPU;
  adapter: GPUAdapter;
  device: string;
  software: boolean;
}
export type AdapterResult = AdapterFound | { ok: false; reason: string };

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|swrast|software|basic render/i;

function isSoftware(adapter: GPUAdapter): boolean {
  const info = adapter.info;
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return fallback === true || [info.vendor, info.architecture, info.device, info.description].some((s) => SOFTWARE.test(s ?? ''));
}

function nativeApi(): string {
  return process.platform === 'darwin' ? 'Metal' : process.platform === 'win32' ? 'D3D12' : 'Vulkan';
}

function describe(adapter: GPUAdapter, viaGles: boolean): string {
  const { vendor, architecture, device, description } = adapter.info;
  if (viaGles) {
    // Dawn's GL adapter: device is a slug of the GL renderer, description the GL version string.
    const name = (device || vendor || 'OpenGL ES adapter').replace(/-+$/, '');
    const version = description.replace(/^OpenGL version\s*/i, '');
    return `${name} via ${version || 'OpenGL ES'} (Dawn, WebGPU compatibility mode)`;
  }
  const name = description || [vendor, architecture, device].filter(Boolean).join(' ') || 'unknown adapter';
  return `${name} via ${nativeApi()} (Dawn)`;
}

let webgpuModule: Promise<WebgpuModule> | undefined;

async function loadWebgpu(): Promise<WebgpuModule> {
  webgpuModule ??= import('webgpu') as Promise<WebgpuModule>;
  return webgpuModule;
}

/**
 * Finds an adapter: Dawn's default first; when `allowSoftware`, a software default adapter or, failing that, the
 * OpenGL ES path. Holds no GPU resources beyond the returned objects (drop them and the process can exit).
 */
export async function findAdapter(allowSoftware: boolean): Promise<AdapterResult> {
  let mod: WebgpuModule;
  try {
    mod = await loadWebgpu();
  } catch (e) {
    return { ok: false, reason: `the webgpu package (Dawn) does not load here: ${firstLine(e)}` };
  }
  const reasons: string[] = [];
  try {
    const gpu = mod.create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter && (!isSoftware(adapter) || allowSoftware)) {
      return { ok: true, gpu, adapter, device: describe(adapter, false), software: isSoftware(adapter) };
    }
    reasons.push(
      adapter
        ? `only a software adapter (${describe(adapter, false)}), slower than wasm`
        : `Dawn finds no ${nativeApi()} adapter`,
    );
  } catch (e) {
    reasons.push(`Dawn's ${nativeApi()} adapter failed: ${firstLine(e)}`);
  }
  if (allowSoftware && process.platform === 'linux') {
    // EGL reads this when Dawn initialises its GL backend; surfaceless needs no display server.
    process.env.EGL_PLATFORM ??= 'surfaceless';
    try {
      const gpu = mod.create(['backend=opengles']);
      const adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
      if (adapter) return { ok: true, gpu, adapter, device: describe(adapter, true), software: isSoftware(adapter) };
      reasons.push(`no OpenGL ES adapter either (EGL_PLATFORM=${process.env.EGL_PLATFORM}; Debian needs libegl1, libegl-mesa0, libgl1-mesa-dri)`);
    } catch (e) {
      reasons.push(`the OpenGL ES adapter failed: ${firstLine(e)}`);
    }
  }
  return { ok: false, reason: reasons.join('; ') };
}

type Navigated = { navigator?: { gpu?: GPU } };
let active: { gpu: GPU; device: string } | undefined;

/**
 * Starts tfjs's webgpu backend on the adapter found; returns the device description. Once started, it stays on its
 * first adapter (re-registering would drop every tensor it holds) until stopWebgpu.
 */
export async function startWebgpu(found: AdapterFound): Promise<string> {
  if (active && tf.findBackendFactory('webgpu')) {
    if (!(await tf.setBackend('webgpu'))) throw new Error(`tf.setBackend('webgpu') failed on ${active.device}`);
    return active.device;
  }
  const mod = await loadWebgpu();
  // tfjs-backend-webgpu looks for navigator.gpu and the GPU* globals when it is imported and when it runs.
  Object.assign(globalThis, mod.globals);
  const g = globalThis as Navigated;
  if (g.navigator && typeof g.navigator === 'object') {
    Object.defineProperty(g.navigator, 'gpu', { value: found.gpu, configurable: true, writable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: found.gpu }, configurable: true, writable: true });
  }
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  // The package registers a factory that asks for the default adapter; use the one found instead.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  const { adapter } = found;
  tf.registerBackend(
    'webgpu',
    async () => {
      const limits = adapter.limits;
      const requiredFeatures: GPUFeatureName[] = [];
      if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
      const device = await adapter.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
          maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
        },
      });
      return new WebGPUBackend(device, adapter.info);
    },
    3,
  );
  active = { gpu: found.gpu, device: found.device };
  if (!(await tf.setBackend('webgpu'))) {
    stopWebgpu();
    throw new Error(`tf.setBackend('webgpu') failed on ${found.device}`);
  }
  return found.device;
}

/**
 * Releases the GPU so the process can exit by itself (Dawn keeps Node alive while navigator.gpu holds it).
 * tfjs falls back to its next backend on the next op.
 */
export function stopWebgpu(): void {
  if (!active) return;
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  const g = globalThis as Navigated;
  if (g.navigator?.gpu === active.gpu) delete g.navigator.gpu;
  active = undefined;
}
