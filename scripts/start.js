#!/usr/bin/env node
// `npm start`: build, then launch the studio in Electron, or, where Electron cannot run, in the browser.
//
// npm ci never downloads Electron (package.json allowScripts denies its install script, so installs work
// offline and in CI). The first `npm start` fetches the Electron runtime (time-limited) and an Electron build
// of better-sqlite3; where either fails (no internet), it says so in one line and starts the browser host
// (`layerwise serve`) instead, printing its URL and opening the default browser. So `npm ci && npm start`
// always ends with a working studio.
//
// Flags: --browser (skip Electron), --prepare (install and build, launch nothing: CI), any other argument is
// passed to `layerwise serve` (--port N, --data DIR). Environment: LAYERWISE_NO_ELECTRON=1 (as --browser),
// LAYERWISE_NO_OPEN=1 (do not open a browser), LAYERWISE_SKIP_BUILD=1 (use the existing out/),
// LAYERWISE_ELECTRON_INSTALL_TIMEOUT_MS (default 20000).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './build.mjs';

const require = createRequire(import.meta.url);
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the Electron build of better-sqlite3 goes (electron/main/native.ts reads the same path). */
export const ELECTRON_SQLITE_DIR = 'node_modules/.cache/layerwise-electron';
export const ELECTRON_SQLITE_BINDING = `${ELECTRON_SQLITE_DIR}/better_sqlite3.node`;
export const SERVING_LINE = /Layerwise is serving at (http:\/\/\S+)/;
export const DEFAULT_INSTALL_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------------------------------
// The decision, as a pure function of what has been found out so far (tests/electron/start.test.ts).

/**
 * @typedef {object} LaunchState
 * @property {boolean} forceBrowser          --browser or LAYERWISE_NO_ELECTRON=1
 * @property {boolean} electronPresent       the Electron binary is installed
 * @property {boolean} [noDisplay]           Linux without X11 or Wayland (a headless box): no window can open
 * @property {string|null} [installError]    why the installer failed (set after trying it)
 * @property {boolean} [installTried]
 * @property {boolean} [nativeReady]         better-sqlite3 is built for Electron's ABI
 * @property {string|null} [nativeError]
 * @property {boolean} [nativeTried]
 *
 * @typedef {{ action: 'install-electron' } | { action: 'prepare-native' } | { action: 'launch-electron' }
 *   | { action: 'browser', reason: string }} LaunchStep
 */

/** @param {LaunchState} s @returns {LaunchStep} */
export function nextStep(s) {
  if (s.forceBrowser) return { action: 'browser', reason: 'Electron was switched off (--browser or LAYERWISE_NO_ELECTRON=1)' };
  if (!s.electronPresent) {
    if (!s.installTried) return { action: 'install-electron' };
    return { action: 'browser', reason: `the Electron runtime could not be downloaded (${s.installError || 'unknown error'})` };
  }
  if (s.noDisplay) return { action: 'browser', reason: 'there is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)' };
  if (!s.nativeReady) {
    if (!s.nativeTried) return { action: 'prepare-native' };
    return { action: 'browser', reason: `better-sqlite3 could not be built for Electron (${s.nativeError || 'unknown error'})` };
  }
  return { action: 'launch-electron' };
}

/** Linux (and the BSDs) with neither X11 nor Wayland: Electron could not open a window. */
export function hasNoDisplay(env = process.env, platform = process.platform) {
  return platform !== 'win32' && platform !== 'darwin' && !env.DISPLAY && !env.WAYLAND_DISPLAY;
}

/** The one line printed when falling back to the browser host. */
export function fallbackLine(reason) {
  return `Layerwise: ${reason}; starting the studio in your browser instead.`;
}

/** The command that opens a URL in the default browser, or null. */
export function openCommand(url, platform = process.platform) {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url.replace(/&/g, '^&')] };
  if (platform === 'linux' || platform.endsWith('bsd')) return { command: 'xdg-open', args: [url] };
  return null;
}

/** A short reason from an installer's output: the last line that looks like an error. */
export function shortReason(output, fallback) {
  const lines = String(output || '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.find((l) => /(Error|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|HTTPError)\b/.test(l) && !l.startsWith('at '));
  return (error || fallback).replace(/^\w*Error: /, '').slice(0, 160);
}

/** Splits our own flags from the arguments passed on to `layerwise serve`. */
export function parseArgs(argv, env = process.env) {
  const serveArgs = [];
  let forceBrowser = env.LAYERWISE_NO_ELECTRON === '1' || env.LAYERWISE_NO_ELECTRON === 'true';
  let prepareOnly = false;
  for (const arg of argv) {
    if (arg === '--browser') forceBrowser = true;
    else if (arg === '--prepare') prepareOnly = true;
    else serveArgs.push(arg);
  }
  return { forceBrowser, prepareOnly, serveArgs };
}

// ---------------------------------------------------------------------------------------------------
// The steps.

function log(line) {
  process.stdout.write(`${line}\n`);
}

function electronDir() {
  return dirname(require.resolve('electron/package.json'));
}

export function electronVersion() {
  return JSON.parse(readFileSync(join(electronDir(), 'package.json'), 'utf8')).version;
}

export function electronPresent() {
  const dir = electronDir();
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return false;
  return existsSync(join(dir, 'dist', readFileSync(pathFile, 'utf8').trim()));
}

/** A copy of the environment for child processes, without variables that would change what they do. */
function cleanEnv(extra = {}, drop = []) {
  const env = { ...process.env, ...extra };
  for (const name of ['ELECTRON_RUN_AS_NODE', ...drop]) delete env[name];
  return env;
}

function build() {
  if (process.env.LAYERWISE_SKIP_BUILD === '1') return;
  try {
    // Only when the sources changed since the last build (a content hash): an unchanged checkout starts at once.
    ensureBuilt({ quiet: true, log: (why) => log(`Layerwise: building (${why})…`) });
  } catch (error) {
    log(`Layerwise: the build failed: ${error.message}`);
    process.exit(1);
  }
}

/** Runs Electron's own installer, capped in time. Returns null on success, else a short reason. */
function installElectron() {
  const timeout = Number(process.env.LAYERWISE_ELECTRON_INSTALL_TIMEOUT_MS) || DEFAULT_INSTALL_TIMEOUT_MS;
  log('Layerwise: fetching the Electron runtime once…');
  const result = spawnSync(process.execPath, [join(electronDir(), 'install.js')], {
    cwd: root,
    encoding: 'utf8',
    timeout,
    killSignal: 'SIGKILL',
    // npm ci skipped the download on purpose; here it is wanted.
    env: cleanEnv({}, ['ELECTRON_SKIP_BINARY_DOWNLOAD']),
  });
  if (result.error?.code === 'ETIMEDOUT' || result.signal) return `no answer within ${Math.ceil(timeout / 1000)} s; offline?`;
  if (result.status === 0 && electronPresent()) return null;
  return shortReason(`${result.stderr}\n${result.stdout}`, `the installer exited with code ${result.status}`);
}

/**
 * Builds better-sqlite3 for Electron's ABI into its own folder (never touching node_modules/better-sqlite3,
 * whose Node build the CLI and tests use): a prebuilt binary when one exists, else node-gyp against
 * Electron's headers. Returns null on success, else a short reason.
 */
function prepareNative() {
  const version = electronVersion();
  const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'));
  const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
  const stamp = { electron: version, betterSqlite3: sqliteVersion, platform: process.platform, arch: process.arch };
  const target = join(root, ELECTRON_SQLITE_BINDING);
  const stampFile = `${target}.json`;
  if (existsSync(target) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === JSON.stringify(stamp)) return null;

  log(`Layerwise: building better-sqlite3 for Electron ${version} once…`);
  const work = join(root, ELECTRON_SQLITE_DIR, 'build', 'better-sqlite3');
  rmSync(dirname(work), { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(sqliteDir, work, {
    recursive: true,
    filter: (src) => !/[\\/](build|node_modules)$/.test(src.slice(sqliteDir.length)),
  });
  // ~/.npmrc's nodedir (or npm's own target settings) would build for Node's ABI: drop them.
  const env = cleanEnv({}, Object.keys(process.env).filter((k) => /^npm_config_(nodedir|target|runtime|disturl|arch)$/i.test(k)));
  const tries = [
    [join(root, 'node_modules/prebuild-install/bin.js'), '--runtime', 'electron', '--target', version, '--arch', process.arch, '--platform', process.platform],
    [
      join(root, 'node_modules/node-gyp/bin/node-gyp.js'),
      'rebuild',
      '--release',
      '--runtime=electron',
      `--target=${version}`,
      `--arch=${process.arch}`,
      '--dist-url=https://electronjs.org/headers',
    ],
  ];
  let reason = 'no build succeeded';
  for (const [script, ...args] of tries) {
    if (!existsSync(script)) continue;
    const result = spawnSync(process.execPath, [script, ...args], {
      cwd: work,
      env,
      encoding: 'utf8',
      timeout: script.includes('prebuild') ? 60_000 : 600_000,
      killSignal: 'SIGKILL',
    });
    const built = join(work, 'build', 'Release', 'better_sqlite3.node');
    if (result.status === 0 && existsSync(built)) {
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(built, target);
      writeFileSync(stampFile, JSON.stringify(stamp));
      rmSync(dirname(work), { recursive: true, force: true });
      return null;
    }
    reason = shortReason(`${result.stderr}\n${result.stdout}`, result.error ? String(result.error.message) : `exit code ${result.status}`);
  }
  rmSync(dirname(work), { recursive: true, force: true });
  return reason;
}

/**
 * The studio runs in its own process group on POSIX (spawnOptions), so a terminal's Ctrl-C reaches only this
 * script, which passes it on exactly once: the host then stops its trainers after their batch. (In one group,
 * the host and its trainers would each get the signal, and a second one kills the host at once.) On Windows
 * the console already delivers Ctrl-C to every process, and kill() would terminate without a chance to clean
 * up: there this script only waits. It exits with the child's status.
 */
function follow(child) {
  const forward = (signal) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (process.platform !== 'win32') child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => forward(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** Child process options shared by both launches. */
function spawnOptions(extra) {
  return { cwd: root, detached: process.platform !== 'win32', ...extra };
}

function launchElectron() {
  const electron = require('electron');
  const child = spawn(
    electron,
    [root],
    spawnOptions({ stdio: ['ignore', 'inherit', 'inherit'], env: cleanEnv({ LAYERWISE_SQLITE_BINDING: join(root, ELECTRON_SQLITE_BINDING) }) }),
  );
  follow(child);
}

function openBrowser(url) {
  if (process.env.LAYERWISE_NO_OPEN === '1') return;
  const open = openCommand(url);
  if (!open) return;
  try {
    const child = spawn(open.command, open.args, { stdio: 'ignore', detached: true, windowsVerbatimArguments: process.platform === 'win32' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No browser to open: the URL is printed above.
  }
}

function launchBrowserHost(serveArgs) {
  const child = spawn(process.execPath, [join(root, 'bin/layerwise.js'), 'serve', ...serveArgs], spawnOptions({ stdio: ['ignore', 'pipe', 'inherit'], env: cleanEnv() }));
  let buffer = '';
  let opened = false;
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (opened) return;
    buffer += chunk.toString();
    const match = SERVING_LINE.exec(buffer);
    if (match) {
      opened = true;
      buffer = '';
      openBrowser(match[1]);
    } else if (buffer.length > 64_000) buffer = buffer.slice(-4000);
  });
  follow(child);
}

export function main(argv = process.argv.slice(2)) {
  const { forceBrowser, prepareOnly, serveArgs } = parseArgs(argv);
  build();
  /** @type {LaunchState} */
  const state = {
    forceBrowser: forceBrowser && !prepareOnly,
    electronPresent: electronPresent(),
    noDisplay: !prepareOnly && hasNoDisplay(),
  };
  for (;;) {
    const step = nextStep(state);
    switch (step.action) {
      case 'install-electron':
        state.installError = installElectron();
        state.installTried = true;
        state.electronPresent = state.installError === null;
        break;
      case 'prepare-native':
        state.nativeError = prepareNative();
        state.nativeTried = true;
        state.nativeReady = state.nativeError === null;
        break;
      case 'launch-electron':
        if (prepareOnly) return log('Layerwise: Electron and its native modules are ready.');
        return launchElectron();
      case 'browser':
        if (prepareOnly) {
          log(`Layerwise: not ready for Electron: ${step.reason}.`);
          process.exit(1);
        }
        log(fallbackLine(step.reason));
        return launchBrowserHost(serveArgs);
    }
  }
}

function isEntry() {
  try {
    return Boolean(process.argv[1]) && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) main();
