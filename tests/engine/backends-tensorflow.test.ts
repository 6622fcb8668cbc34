// The native 'tensorflow' backend path, with stand-ins for the optional packages (the real ones cannot install
// here): @tensorflow/tfjs-node-gpu that fails to load (no CUDA), and @tensorflow/tfjs-node that registers a
// 'tensorflow' backend. Its own file: which packages were found is decided once per process.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { cpuModel } from '../../core/engine/backends/device.js';
import { loadTensorflow } from '../../core/engine/backends/tensorflow.js';

const dir = mkdtempSync(join(tmpdir(), 'layerwise-tfjs-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakePackage(name: string, source: string): void {
  const root = join(dir, 'node_modules', ...name.split('/'));
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, version: '4.22.0', main: 'index.js' }));
  writeFileSync(join(root, 'index.js'), source);
}

const cpuBackendPath = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-cpu');
fakePackage('@tensorflow/tfjs-node-gpu', `throw new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');\n`);
fakePackage(
  '@tensorflow/tfjs-node',
  `const { MathBackendCPU } = require(${JSON.stringify(cpuBackendPath)});\n` +
    `globalThis._tfengine.registerBackend('tensorflow', () => new MathBackendCPU(), 1);\n`,
);

it('skips a native package that fails to load and takes the next one', () => {
  const found = loadTensorflow(pathToFileURL(join(dir, 'index.js')).href);
  expect(found).toEqual({ ok: true, device: `${cpuModel()} via libtensorflow` });
});

it("'auto' prefers the tensorflow backend when a native package loads", async () => {
  const info = await initBackend('auto');
  expect(info).toEqual({ name: 'tensorflow', device: `${cpuModel()} via libtensorflow` });
  expect(tf.getBackend()).toBe('tensorflow');
  expect(await initBackend('tensorflow')).toEqual(info);
});
