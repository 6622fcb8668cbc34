// Checks an unpacked package (`electron-builder --dir`): the app archive holds the build, the tfjs .wasm
// files and native binaries sit unpacked next to it, webgpu ships only this platform's binary, and the
// Electron binary's fuses read back as electron-builder.yml decides them.
// Usage: node tests/electron-smoke/check-package.mjs dist
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar');
const { FuseV1Options, getCurrentFuseWire } = require('@electron/fuses');
// @electron/fuses' FuseState (not exported from its index): a fuse reads as ASCII '1' or '0'.
const FuseState = { ENABLE: 49, DISABLE: 48 };
const yaml = require('js-yaml');

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

// The fuses, read from the packaged binary (macOS: the .app; Windows and Linux: the executable beside resources/).
const resources = dirname(archive);
let binary;
if (process.platform === 'darwin') binary = dirname(dirname(resources));
else {
  const product = 'Layerwise';
  const candidates = readdirSync(dirname(resources)).filter((n) => (process.platform === 'win32' ? n === `${product}.exe` : n === 'layerwise' || n === product));
  binary = candidates.length ? join(dirname(resources), candidates[0]) : null;
}
const decided = yaml.load(readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8')).electronFuses;
const fuseNames = {
  runAsNode: 'RunAsNode',
  enableCookieEncryption: 'EnableCookieEncryption',
  enableNodeOptionsEnvironmentVariable: 'EnableNodeOptionsEnvironmentVariable',
  enableNodeCliInspectArguments: 'EnableNodeCliInspectArguments',
  enableEmbeddedAsarIntegrityValidation: 'EnableEmbeddedAsarIntegrityValidation',
  onlyLoadAppFromAsar: 'OnlyLoadAppFromAsar',
  loadBrowserProcessSpecificV8Snapshot: 'LoadBrowserProcessSpecificV8Snapshot',
  grantFileProtocolExtraPrivileges: 'GrantFileProtocolExtraPrivileges',
};
if (!binary) check(false, `the Electron executable beside ${resources}`);
else {
  const wire = await getCurrentFuseWire(binary);
  for (const [key, name] of Object.entries(fuseNames)) {
    const want = decided[key] ? FuseState.ENABLE : FuseState.DISABLE;
    check(wire[FuseV1Options[name]] === want, `fuse ${name} is ${decided[key] ? 'on' : 'off'} in ${basename(binary)}`);
  }
}

if (failures.length) process.exit(1);
