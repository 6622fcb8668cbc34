// A fresh `layerwise serve` per test: its own temporary data folder, the URL parsed from its first line.
// Every page also records Content-Security-Policy violations (the `securitypolicyviolation` event and
// Chromium's console report), and a test fails if its page had any: the strict CSP (no inline styles or
// scripts) is checked on every screen every e2e test opens.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import { HANG_MS } from '../support/patience.js';

const root = resolve(import.meta.dirname, '../..');

export interface Studio {
  /** `http://127.0.0.1:PORT/?token=TOKEN` as the host printed it. */
  url: string;
  dataDir: string;
  output: () => string;
}

async function startHost(dataDir: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [join(root, 'bin/layerwise.js'), 'serve', '--port', '0', '--data', dataDir], {
    cwd: root,
    env: { ...process.env, LAYERWISE_NO_BROWSER: '1', BROWSER: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`layerwise serve printed no URL within ${HANG_MS / 1000} s:\n${log}`)), HANG_MS);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const m = /Layerwise is serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`layerwise serve exited (${code}) before serving:\n${log}`));
    });
  });
  return { child, url, output: () => log };
}

async function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// Page code is given as source text: this project is type-checked without DOM types.
const RECORD_CSP = `(() => {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber + ': ' + e.sample);
  });
})()`;

/** The CSP violations a page has reported (its listener is installed before any page script runs). */
export async function cspViolations(page: Page): Promise<string[]> {
  return ((await page.evaluate('window.__cspViolations || []').catch(() => [])) as string[]) ?? [];
}

export const test = base.extend<{ studio: Studio }>({
  page: async ({ page }, use) => {
    await page.addInitScript({ content: RECORD_CSP });
    const messages: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) messages.push(m.text());
    });
    await use(page);
    expect([...(await cspViolations(page)), ...messages], 'Content-Security-Policy violations on the page').toEqual([]);
  },
  // Playwright reads a fixture's dependencies from its first parameter's destructuring: this one has none.
  // eslint-disable-next-line no-empty-pattern
  studio: async ({}, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'layerwise-e2e-'));
    const host = await startHost(dataDir);
    try {
      await use({ url: host.url, dataDir, output: host.output });
    } finally {
      await stopHost(host.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
});

/** Saves a full-page screenshot under the test's output folder (test-results/e2e/<test>/<name>.png). */
export async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
}

/** Collects the page's console errors and uncaught exceptions; a test ends by expecting the list empty. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

export { expect };
