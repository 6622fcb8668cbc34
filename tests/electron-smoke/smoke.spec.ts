// Smoke test of the real app in the real Electron (CI only: .github/workflows/electron.yml; the Electron
// binary cannot be downloaded where the other tests run). Written against playwright-core's `_electron` and
// node:test, run by ./run.mjs: `node tests/electron-smoke/run.mjs` after `npm run build` and
// `node scripts/start.js --prepare` (which installs Electron and builds better-sqlite3 for it).
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const data = mkdtempSync(join(tmpdir(), 'layerwise-smoke-'));

// What the page sees (evaluated in the page, so each callback names globalThis itself).
interface PageGlobals {
  layerwise: Record<string, unknown> & {
    app: { info(): Promise<{ version: string; dataDir: string }> };
    projects: { create(input: { name: string }): Promise<{ id: number; name: string }>; list(): Promise<{ id: number }[]> };
    runs: { get(input: { id: number }): Promise<unknown> };
  };
  require?: unknown;
  process?: unknown;
}

let app: ElectronApplication;
let window: Page;

before(async () => {
  app = await _electron.launch({
    args: [root],
    cwd: root,
    // The OS sandbox on, as for users (Playwright turns it off unless asked).
    chromiumSandbox: true,
    env: { ...(process.env as Record<string, string>), LAYERWISE_DATA: data },
    timeout: 60_000,
  });
  window = await app.firstWindow({ timeout: 60_000 });
  await window.waitForLoadState('domcontentloaded');
});

after(async () => {
  await app?.close();
  rmSync(data, { recursive: true, force: true });
});

test('the window shows our own page, locked down', async () => {
  // The app scheme, never file:// (the options themselves are checked in tests/electron/window.test.ts),
  // and the page's own module scripts ran under the CSP: Vue mounted the app.
  assert.match(window.url(), /^layerwise:\/\/app\//);
  await window.waitForSelector('#app > *', { state: 'attached', timeout: 30_000 });
  // No Node in the page, and the CSP forbids eval.
  assert.equal(await window.evaluate(() => typeof (globalThis as unknown as PageGlobals).require), 'undefined');
  assert.equal(await window.evaluate(() => typeof (globalThis as unknown as PageGlobals).process), 'undefined');
  const evalBlocked = await window.evaluate(() => {
    try {
      return (0, eval)('1') !== 1;
    } catch {
      return true;
    }
  });
  assert.equal(evalBlocked, true);
});

test('the page has exactly the typed API, and it works', async () => {
  const keys = await window.evaluate(() => Object.keys((globalThis as unknown as PageGlobals).layerwise).sort());
  assert.ok(keys.includes('projects') && keys.includes('runs') && keys.includes('onRunProgress'), keys.join(', '));
  assert.ok(!keys.includes('ipcRenderer') && !keys.includes('invoke'), keys.join(', '));
  const info = await window.evaluate(() => (globalThis as unknown as PageGlobals).layerwise.app.info());
  assert.equal(realpathSync(info.dataDir), realpathSync(data));
  const project = await window.evaluate(() => (globalThis as unknown as PageGlobals).layerwise.projects.create({ name: 'Smoke' }));
  assert.equal(project.name, 'Smoke');
  const listed = await window.evaluate(() => (globalThis as unknown as PageGlobals).layerwise.projects.list());
  assert.deepEqual(listed.map((p) => p.id), [project.id]);
  // A failed call crosses the bridge with its code.
  const error = await window.evaluate(() => (globalThis as unknown as PageGlobals).layerwise.runs.get({ id: 999_999 }).then(() => null, (e: unknown) => e as { code?: string }));
  assert.equal(error?.code, 'not_found');
});

test('the application menu has the File commands', async () => {
  const labels = await app.evaluate(({ Menu }) => {
    const items: string[] = [];
    const walk = (menu: Electron.Menu | null | undefined) => menu?.items.forEach((i) => (items.push(i.label), walk(i.submenu)));
    walk(Menu.getApplicationMenu());
    return items;
  });
  for (const label of ['New Project', 'Import Project…', 'Export Project…']) assert.ok(labels.includes(label), label);
});
