// Checks an unpacked package (`electron-builder --dir`): the app archive holds the build, the tfjs .wasm
// files and native binaries sit unpacked next to it, and webgpu ships only this platform's binary.
// Usage: node tests/electron-smoke/check-package.mjs dist
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar');

function findAsar(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'app.asar') return path;
    if (statSync(path).isDirectory() && !name.endsWith('.asar.unpacked')) {
      const found = findAsar(path);
      if (found) return found;
    }
  }
  return null;
}

const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const archive = findAsar(process.argv[2] ?? 'dist');
if (!archive) {
  console.error('no app.asar under', process.argv[2] ?? 'dist');
  process.exit(1);
}
const unpacked = `${archive}.unpacked`;
const files = new Set(asar.listPackage(archive).map((p) => p.replace(/\\/g, '/')));
const platformDir = process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;

check(files.has('/out/main/index.js') && files.has('/out/preload/index.cjs') && files.has('/out/renderer/index.html'), 'the build is in app.asar');
check(!files.has('/core') && !files.has('/electron') && !files.has('/tests'), 'no sources in app.asar');
for (const wasm of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
  check(existsSync(join(unpacked, 'node_modules/@tensorflow/tfjs-backend-wasm/dist', wasm)), `${wasm} unpacked`);
}
check(existsSync(join(unpacked, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')), 'better_sqlite3.node unpacked');
const webgpu = existsSync(join(unpacked, 'node_modules/webgpu/dist')) ? readdirSync(join(unpacked, 'node_modules/webgpu/dist')) : [];
check(webgpu.length === 1 && webgpu[0] === platformDir, `webgpu ships only ${platformDir} (found: ${webgpu.join(', ') || 'none'})`);
check(existsSync(join(archive, '..', 'presets')), 'presets in the resources folder');

if (failures.length) process.exit(1);
