#!/usr/bin/env node
// `npm run build`: the engine's SIMD kernels (scripts/build-kernels.mjs), then `electron-vite build` (main, trainer and its threads,
// CLI, preload, renderer), then a stamp with a hash of every source the build reads. `npm start`, `npx layerwise` and
// the tests call `ensureBuilt()`, which rebuilds only when that hash changed, so a launch after no edit costs ~20 ms
// instead of a full build, and an edit is never run stale.
//
// The project has no `prepare` script on purpose: with `strict-allow-scripts=true` (.npmrc), npm 11 checks the
// project's own install scripts whenever `npx` runs inside it and refuses them, so the build happens here instead.
//
// Usage: node scripts/build.mjs [--if-stale] [--quiet]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(root, 'out/.build-stamp.json');
const LOCK = join(root, 'out/.build.lock');

/** Folders and files whose content decides what `out/` and the generated kernels contain. */
const SOURCE_DIRS = ['core', 'shared', 'electron', 'renderer', 'resources'];
const SOURCE_FILES = [
  'package.json',
  'package-lock.json',
  'electron.vite.config.ts',
  'tsconfig.base.json',
  'tsconfig.json',
  'tsconfig.node.json',
  'tsconfig.web.json',
  'scripts/build.mjs',
  'scripts/build-kernels.mjs',
];
/** Outputs that must exist for the build to count as present. */
const OUTPUTS = ['out/main/cli.js', 'out/main/trainer.js', 'out/main/train-thread.js', 'out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const GENERATED = 'core/engine/kernels/simd/generated';

function listFiles(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // The generated kernels are an output of this build, not an input.
      if (relative(root, path).replace(/\\/g, '/') !== GENERATED && entry.name !== 'node_modules') listFiles(path, out);
    } else if (entry.isFile()) out.push(path);
  }
}

/** sha256 over every source's path and content (content, not mtime: a checkout or `touch` alone does not rebuild). */
export function sourceFingerprint() {
  const files = [];
  for (const dir of SOURCE_DIRS) listFiles(join(root, dir), files);
  for (const file of SOURCE_FILES) if (existsSync(join(root, file))) files.push(join(root, file));
  files.sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(root, file).replace(/\\/g, '/'));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Why the build is stale, or null when `out/` matches the sources. */
export function staleReason() {
  const missing = OUTPUTS.find((f) => !existsSync(join(root, f)));
  if (missing) return `${missing} is missing`;
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return 'no build stamp';
  }
  return stamp.fingerprint === sourceFingerprint() ? null : 'the sources changed since the last build';
}

/** The build tools are dev dependencies: a production install has none and must use the `out/` it ships. */
export function canBuild() {
  return existsSync(join(root, 'node_modules/electron-vite/bin/electron-vite.js'));
}

function run(args, quiet) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
  if (result.status !== 0) throw new Error(`${args.map((a) => relative(root, a) || a).join(' ')} failed (exit ${result.status ?? result.signal})`);
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** One build at a time per checkout (tests and CLIs may start together); a lock left by a dead process is taken over. */
function withLock(fn) {
  mkdirSync(dirname(LOCK), { recursive: true });
  const waitUntil = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      closeSync(openSync(LOCK, 'wx'));
      writeFileSync(LOCK, String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(LOCK, 'utf8')) || 0;
      if (holder && !processAlive(holder)) {
        rmSync(LOCK, { force: true });
        continue;
      }
      if (Date.now() > waitUntil) throw new Error(`another build (pid ${holder}) holds ${relative(root, LOCK)}`, { cause: error });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

/** Builds kernels and bundles unconditionally, then writes the stamp. */
export function build({ quiet = false } = {}) {
  withLock(() => buildUnlocked(quiet));
}

function buildUnlocked(quiet) {
  const fingerprint = sourceFingerprint();
  run([join(root, 'scripts/build-kernels.mjs')], quiet);
  run([join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], quiet);
  writeFileSync(STAMP, `${JSON.stringify({ fingerprint, builtAt: new Date().toISOString() })}\n`);
}

/**
 * Builds when `out/` is missing or older than the sources; returns what was done. `log` receives one line before a
 * build starts (the caller decides where it goes: the CLI keeps stdout for --json).
 */
export function ensureBuilt({ quiet = true, log = () => {} } = {}) {
  const reason = staleReason();
  if (!reason) return 'current';
  if (!canBuild()) return 'cannot-build';
  return withLock(() => {
    // Another process may have built while this one waited for the lock.
    const still = staleReason();
    if (!still) return 'current';
    log(still);
    buildUnlocked(quiet);
    return 'built';
  });
}

function isEntry() {
  try {
    return Boolean(process.argv[1]) && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  const args = process.argv.slice(2);
  const quiet = args.includes('--quiet');
  try {
    if (args.includes('--if-stale')) {
      const done = ensureBuilt({ quiet, log: (why) => console.log(`build: ${why}; building`) });
      if (done === 'current') console.log('build: out/ is current');
    } else build({ quiet });
  } catch (error) {
    console.error(`build: ${error.message}`);
    process.exit(1);
  }
}
