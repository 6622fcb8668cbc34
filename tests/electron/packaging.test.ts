// electron-builder.yml, read the way electron-builder reads it: its own file matcher (app-builder-lib)
// decides which webgpu binaries each platform's package keeps and what stays out of the asar archive.
// (Checked once by hand with a real `electron-builder --dir` from a local Electron folder; see the report.)
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/build.js';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { FileMatcher } = require('app-builder-lib/out/fileMatcher.js') as {
  FileMatcher: new (from: string, to: string, expand: (p: string) => string, patterns?: string[]) => {
    patterns: string[];
    prependPattern(p: string): void;
    createFilter(): (file: string, stat: { isDirectory(): boolean; moduleFullFilePath?: string }) => boolean;
  };
};

type PlatformConfig = { target: unknown; files: string[] };
interface BuilderConfig {
  files: string[];
  asarUnpack: string[];
  npmRebuild: boolean;
  mac: PlatformConfig;
  win: PlatformConfig;
  linux: PlatformConfig;
}

const config = yaml.load(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const webgpuDirs = readdirSync(join(repoRoot, 'node_modules/webgpu/dist'));

/** Whether electron-builder copies this node_modules file for `platform` (as its node-module filter decides). */
function packs(platform: 'mac' | 'win' | 'linux', arch: string, file: string): boolean {
  const expand = (p: string) => p.replace(/\$\{arch\}/g, arch);
  const matcher = new FileMatcher(repoRoot, '/app', expand);
  for (const p of config[platform].files) if (p.startsWith('!')) matcher.patterns.push(expand(p));
  matcher.prependPattern('**/*');
  return matcher.createFilter()(join(repoRoot, file), { isDirectory: () => false, moduleFullFilePath: file });
}

describe('electron-builder.yml', () => {
  it('builds nsis, dmg, AppImage and deb, rebuilding native modules for Electron', () => {
    expect(config.win.target).toBe('nsis');
    expect(config.mac.target).toBe('dmg');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.npmRebuild).toBe(true);
  });

  it('every platform repeats the common file list (a platform list replaces it)', () => {
    for (const platform of ['mac', 'win', 'linux'] as const) {
      expect(config[platform].files.slice(0, config.files.length)).toEqual(config.files);
    }
  });

  const expected: [platform: 'mac' | 'win' | 'linux', arch: string, keep: string][] = [
    ['linux', 'x64', 'linux-x64'],
    ['linux', 'arm64', 'linux-arm64'],
    ['win', 'x64', 'win32-x64'],
    ['win', 'arm64', 'win32-arm64'],
    ['mac', 'arm64', 'darwin-universal'],
    ['mac', 'x64', 'darwin-universal'],
  ];
  it.each(expected)('%s %s keeps only the webgpu binary of its platform (%s)', (platform, arch, keep) => {
    expect(webgpuDirs).toContain(keep);
    const kept = webgpuDirs.filter((dir) => packs(platform, arch, `node_modules/webgpu/dist/${dir}/dawn.node`));
    expect(kept).toEqual([keep]);
    // …and the rest of the package, and other packages, still ship.
    expect(packs(platform, arch, 'node_modules/webgpu/index.js')).toBe(true);
    expect(packs(platform, arch, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')).toBe(true);
    expect(packs(platform, arch, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
  });

  it('unpacks the tfjs .wasm files and every native binary from the asar', () => {
    const unpack = new FileMatcher(repoRoot, '/app', (p) => p, config.asarUnpack).createFilter();
    const file = (f: string) => unpack(join(repoRoot, f), { isDirectory: () => false });
    expect(file('node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')).toBe(true);
    expect(file('node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')).toBe(true);
    expect(file('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    expect(file('node_modules/webgpu/dist/linux-x64/dawn.node')).toBe(true);
    expect(file('node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node')).toBe(true);
    expect(file('out/main/index.js')).toBe(false);
    expect(file('node_modules/zod/index.js')).toBe(false);
  });
});
