// Backend selection: what 'auto' picks, what an explicit choice does when it cannot start, and what is reported.
// (The webgpu backend itself is tested in backends-webgpu.test.ts: its global state is per process.)
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend, probeBackends, type BackendProbe } from '../../core/engine/backends/index.js';
import { ENGINE_KERNELS } from '../../core/engine/kernels/index.js';

const probes: BackendProbe[] = await probeBackends();
const probe = (name: string) => probes.find((p) => p.name === name)!;
const tensorflowInstalled = probe('tensorflow').available;
// 'auto' takes webgpu only on a hardware adapter; the probe reports a software one with a reason.
const hardwareGpu = probe('webgpu').available && !probe('webgpu').reason;
console.log(`backends here: ${probes.map((p) => `${p.name}=${p.available ? p.device : `no (${p.reason})`}`).join(' | ')}`);

describe('probeBackends', () => {
  it('reports every backend, with a device when available and a reason when not', () => {
    expect(probes.map((p) => p.name)).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    for (const p of probes) {
      if (p.available) expect(p.device, p.name).toMatch(/\S/);
      else expect(p.reason, p.name).toMatch(/\S/);
    }
    expect(probe('cpu').available).toBe(true);
    expect(probe('wasm')).toMatchObject({ available: true, device: expect.stringMatching(/WebAssembly/) });
  });

  it('changes nothing: probing starts no backend', () => {
    expect(tf.engine().registry.webgpu).toBeUndefined();
    expect(tf.engine().registry.tensorflow).toBeUndefined();
  });
});

describe('initBackend', () => {
  it.skipIf(tensorflowInstalled || hardwareGpu)("'auto' falls back to wasm here and says why, then returns the same info again", async () => {
    const lines: string[] = [];
    const info = await initBackend('auto', { log: (l) => lines.push(l) });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.device).toMatch(/WebAssembly( SIMD)?, \d+ threads?\)$/);
    expect(info.fallbackReason).toMatch(/^tensorflow: .*tfjs-node.*; webgpu: .+/);
    expect(lines.at(-1)).toBe(`backend: wasm on ${info.device}`);
    expect(await initBackend('auto')).toBe(info);
  });

  it.skipIf(!tensorflowInstalled && !hardwareGpu)("'auto' takes the first available of tensorflow and a hardware webgpu", async () => {
    const info = await initBackend('auto');
    expect(info.name).toBe(tensorflowInstalled ? 'tensorflow' : 'webgpu');
  });

  it.skipIf(tensorflowInstalled)("an explicit 'tensorflow' throws, naming the backend and the missing packages", async () => {
    await expect(initBackend('tensorflow')).rejects.toThrow(
      /^Backend 'tensorflow' is not available: @tensorflow\/tfjs-node-gpu is not installed; @tensorflow\/tfjs-node is not installed$/,
    );
  });

  it('rejects an unknown name', async () => {
    await expect(initBackend('tpu' as never)).rejects.toThrow(/Unknown backend 'tpu': expected one of auto, tensorflow, webgpu, wasm, cpu/);
  });

  it('switches between cpu and wasm, each idempotent, and registers the engine kernels', async () => {
    const cpu = await initBackend('cpu');
    expect(cpu).toEqual({ name: 'cpu', device: expect.stringMatching(/JavaScript/) });
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await initBackend('wasm');
    expect(wasm.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(await initBackend('cpu')).toBe(cpu);
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend('wasm')).toBe(wasm);
    for (const k of ENGINE_KERNELS) expect(tf.getKernel(k.kernelName, k.backendName)?.kernelFunc).toBe(k.kernelFunc);
  });

  it('concurrent calls share one start', async () => {
    const [a, b] = await Promise.all([initBackend('wasm'), initBackend('wasm')]);
    expect(a).toBe(b);
  });

  it('trains a conv layer on wasm (the filter gradient tfjs 4.22 lacks is there)', async () => {
    await initBackend('wasm');
    const x = tf.ones([2, 5, 5, 1]);
    const w = tf.variable(tf.fill([3, 3, 1, 2], 0.1) as tf.Tensor4D);
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Variable<tf.Rank.R4>, 1, 'valid')));
    // Each filter tap sees a 1 at each of the 3×3 output positions of both images: 18.
    expect(Array.from(await grads[w.name]!.data())).toEqual(new Array(18).fill(18));
    tf.dispose([x, w, value, grads[w.name]!]);
  });
});
