#!/usr/bin/env node
// `npm start`: prepare what `npm ci` deliberately skipped, build, and launch the studio.
// npm ci never downloads Electron (package.json allowScripts denies its install script, so installs work
// offline and in CI); the first `npm start` fetches the Electron binary once, on a machine with internet.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const root = join(dirname(new URL(import.meta.url).pathname), '..');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function electronInstalled() {
  const dir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  return existsSync(pathFile) && existsSync(join(dir, 'dist', readFileSync(pathFile, 'utf8').trim()));
}

if (!electronInstalled()) {
  console.log('Layerwise: fetching the Electron runtime once (needs internet)…');
  run(process.execPath, [join(dirname(require.resolve('electron/package.json')), 'install.js')]);
}
run(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);
run(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'preview', '--skipBuild']);
