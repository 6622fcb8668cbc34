// What the packaged app is built with, read from the files electron-builder and main read: the fuses and
// ASAR integrity in electron-builder.yml (validated with the installed electron-builder's own schema and
// turned into a fuse wire by its own code), the CSP both hosts send and the page's meta tag, and the
// openExternal allow-list against every link the app shows. (No Electron binary here: CI's
// check-package.mjs reads the fuses back from a packaged binary.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, CSP_DIRECTIVES, DEV_CONTENT_SECURITY_POLICY, EXTERNAL_LINK_HOSTS, withSecurityHeaders } from '../../electron/main/security.js';
import { repoRoot } from '../support/build.js';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(key: string, value: unknown): void }): Promise<void>;
};
const { PlatformPackager } = require('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(fuses: unknown): Promise<Record<string | number, unknown>> } };
};
const { FuseV1Options } = require('@electron/fuses') as { FuseV1Options: Record<string, number> };
const scheme = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as {
  definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
};

interface BuilderConfig {
  asar: unknown;
  disableAsarIntegrity?: boolean;
  disableSanityCheckAsar?: boolean;
  electronFuses: Record<string, boolean>;
}
const config = yaml.load(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/** The fuse decisions: on, off (true/false) for each fuse the installed electron-builder can flip. */
const EXPECTED_FUSES: Record<string, boolean> = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
  loadBrowserProcessSpecificV8Snapshot: false,
  resetAdHocDarwinSignature: true,
};

describe('electron-builder.yml: fuses and ASAR integrity', () => {
  it('is a valid configuration for the installed electron-builder (its own schema, so option names are real)', async () => {
    await expect(validateConfiguration(config, { isEnabled: false, add: () => {} })).resolves.toBeUndefined();
    // …and the schema check can fail: a misspelt fuse is refused.
    await expect(validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, runAsNod: false } }, { isEnabled: false, add: () => {} })).rejects.toThrow(
      /configuration\.electronFuses/,
    );
  });

  it('decides every fuse electron-builder knows, as chosen', () => {
    expect(Object.keys(scheme.definitions.FuseOptionsV1.properties).sort()).toEqual(Object.keys(EXPECTED_FUSES).sort());
    expect(config.electronFuses).toEqual(EXPECTED_FUSES);
  });

  it('flips the fuse wire as intended (electron-builder\'s own translation to @electron/fuses)', async () => {
    const wire = await PlatformPackager.prototype.generateFuseConfig.call({}, config.electronFuses);
    expect(wire[FuseV1Options.RunAsNode!]).toBe(false);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable!]).toBe(false);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments!]).toBe(false);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation!]).toBe(true);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar!]).toBe(true);
    expect(wire[FuseV1Options.EnableCookieEncryption!]).toBe(true);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges!]).toBe(false);
    expect(wire[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot!]).toBe(false);
    expect(wire.resetAdHocDarwinSignature).toBe(true);
  });

  it('packs the app into an asar archive whose integrity hash is computed and checked', () => {
    expect(config.asar).toBe(true);
    expect(config.disableAsarIntegrity).toBe(false);
    expect(config.disableSanityCheckAsar).toBe(false);
  });
});

function parseCsp(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...sources] = d.split(/\s+/);
        return [name!, sources] as const;
      }),
  );
}

describe('the CSP the app is served with', () => {
  it('allows no inline style or script and no eval, in both hosts and in the page\'s own meta tag', () => {
    const csp = parseCsp(CONTENT_SECURITY_POLICY);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes/);
    expect(Object.keys(CSP_DIRECTIVES)).toContain('style-src');
    expect(withSecurityHeaders()['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    // Only the dev server's window (Vite's hot reload) gets inline styles.
    expect(withSecurityHeaders({}, { dev: true })['Content-Security-Policy']).toEqual([DEV_CONTENT_SECURITY_POLICY]);
    expect(parseCsp(DEV_CONTENT_SECURITY_POLICY).get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);

    const html = readFileSync(join(repoRoot, 'renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta, 'renderer/index.html carries a CSP meta tag').not.toBeNull();
    const metaCsp = parseCsp(meta![1]!);
    expect(metaCsp.get('style-src')).toEqual(["'self'"]);
    expect(meta![1]).not.toMatch(/unsafe-/);
    // Nothing inline in the page itself.
    expect(html).not.toMatch(/<style|style="/i);
    expect(html.replace(/<script type="module" src="[^"]+"><\/script>/, '')).not.toMatch(/<script/i);
  });
});

/** Every http(s) URL in the files whose text the app shows or opens (comments aside). */
function linksShown(): Map<string, string> {
  const roots = ['renderer/src', 'shared', 'electron/main/menu.ts', 'resources/presets'];
  const files: string[] = [];
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else if (/\.(ts|vue|json|html)$/.test(path)) files.push(path);
  };
  for (const r of roots) walk(join(repoRoot, r));
  const found = new Map<string, string>();
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (/^\s*(\/\/|\*|\/\*)/.test(line)) continue;
      for (const m of line.matchAll(/https?:\/\/[^\s'"`)<>]+/g)) {
        const host = new URL(m[0]).hostname;
        if (host === '127.0.0.1' || host === 'localhost') continue;
        found.set(host, `${file.slice(repoRoot.length)}: ${m[0]}`);
      }
    }
  }
  return found;
}

describe('openExternal', () => {
  it('is allowed exactly the hosts the app links to', () => {
    const shown = linksShown();
    for (const [host, where] of shown) expect(EXTERNAL_LINK_HOSTS, `${where} links to ${host}`).toContain(host);
    for (const host of EXTERNAL_LINK_HOSTS) expect(shown.has(host), `${host} is allowed but nothing links to it`).toBe(true);
  });
});
