// The File menu's actions (electron/main/actions.ts) with the real services on a real store, real files,
// and dialogs answered by a script; the quit guard (lifecycle.ts); where main finds its files (paths.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../core/services/services.js';
import { Store } from '../../core/store/index.js';
import { createAppActions, quitQuestion, untitledName, type DialogsLike } from '../../electron/main/actions.js';
import { createQuitGuard } from '../../electron/main/lifecycle.js';
import { builtFiles, DEV_SQLITE_BINDING, sqliteBinding } from '../../electron/main/paths.js';
import { ELECTRON_SQLITE_BINDING } from '../../scripts/start.js';

let dir: string;
let store: Store;
let services: Services;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'layerwise-actions-'));
  store = Store.open(join(dir, 'data'));
  services = createServices({ store, log: () => {} });
});

afterEach(async () => {
  await services.queue.shutdown();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Dialogs that answer from a script and record what they were asked. */
function scripted(answers: { open?: string[] | null; save?: string | null; choose?: number }) {
  const asked: string[] = [];
  const dialogs: DialogsLike = {
    showOpenDialog: async (o) => (asked.push(`open: ${o.title}`), answers.open ? { canceled: false, filePaths: answers.open } : { canceled: true, filePaths: [] }),
    showSaveDialog: async (o) => (asked.push(`save: ${o.defaultPath}`), answers.save ? { canceled: false, filePath: answers.save } : { canceled: true }),
    showMessageBox: async (o) => (asked.push(`${o.type}: ${o.message}${o.buttons ? ` [${o.buttons.join('|')}]` : ''}`), { response: answers.choose ?? 0 }),
  };
  return { dialogs, asked };
}

const files = { size: async (p: string) => (await stat(p)).size, read: (p: string) => readFile(p), write: (p: string, b: Uint8Array) => writeFile(p, b) };

function actions(answers: Parameters<typeof scripted>[0]) {
  const { dialogs, asked } = scripted(answers);
  const changed: number[] = [];
  const a = createAppActions({ handlers: services.handlers, dialogs, files, openFolder: () => {}, projectsChanged: (id) => changed.push(id) });
  return { ...a.run, asked, changed };
}

describe('File menu actions', () => {
  it('New Project creates an untitled project with a free name', async () => {
    const a = actions({});
    expect((await a.newProject())?.name).toBe('Untitled project');
    expect((await a.newProject())?.name).toBe('Untitled project 2');
    expect(store.listProjects().map((p) => p.name)).toEqual(['Untitled project', 'Untitled project 2']);
    expect(a.changed).toHaveLength(2);
    expect(untitledName(['Untitled project', 'Untitled project 2', 'Untitled project 4'])).toBe('Untitled project 3');
  });

  it('Export writes the chosen project as a .layerwise file, and Import reads it back as a new project', async () => {
    await services.handlers['projects.create']({ name: 'First' });
    const second = await services.handlers['projects.create']({ presetId: 'spiral-mlp' });
    const target = join(dir, 'exported');
    // Two projects: the newest is offered first.
    const exporter = actions({ choose: 0, save: target });
    const written = await exporter.exportProject();
    expect(written).toBe(`${target}.layerwise`);
    expect(exporter.asked[0]).toMatch(/^question: Which project.*\[.*\|First\|Cancel\]$/);
    expect(exporter.asked[1]).toMatch(/^save: .*\.layerwise$/);
    expect(statSync(written!).size).toBeGreaterThan(100);
    expect(readFileSync(written!).subarray(0, 2).toString('latin1')).toBe('PK');

    const importer = actions({ open: [written!] });
    const [imported] = await importer.importProject();
    expect(imported).toBeGreaterThan(second.id);
    const models = await services.handlers['models.list']({ projectId: imported! });
    expect(models).toHaveLength(1);
    expect(importer.asked.at(-1)).toMatch(/^info: Imported/);
    expect(importer.changed).toEqual([imported]);
  });

  it('cancelling a dialog changes nothing', async () => {
    await services.handlers['projects.create']({ name: 'Only' });
    expect(await actions({ save: null }).exportProject()).toBeNull();
    expect(await actions({ open: null }).importProject()).toEqual([]);
    await services.handlers['projects.create']({ name: 'Other' });
    expect(await actions({ choose: 2, save: join(dir, 'x') }).exportProject()).toBeNull();
    expect(existsSync(join(dir, 'x.layerwise'))).toBe(false);
    expect(store.listProjects()).toHaveLength(2);
  });

  it('a bad file is refused with its reason and nothing is stored', async () => {
    const bad = join(dir, 'bad.layerwise');
    writeFileSync(bad, 'not a zip at all');
    const a = actions({ open: [bad] });
    expect(await a.importProject()).toEqual([]);
    expect(a.asked.at(-1)).toMatch(/^error: Could not import bad\.layerwise/);
    expect(store.listProjects()).toEqual([]);
  });

  it('there is nothing to export in an empty store', async () => {
    const a = actions({ save: join(dir, 'x') });
    expect(await a.exportProject()).toBeNull();
    expect(a.asked).toEqual(['info: There is no project to export yet.']);
  });
});

describe('quitting', () => {
  function guard(active: number, answer: boolean) {
    const events: string[] = [];
    let resolveQuit!: () => void;
    const quit = new Promise<void>((r) => (resolveQuit = r));
    const g = createQuitGuard({
      activeRuns: () => active,
      confirm: async (q) => (events.push(`ask: ${q.message}`), answer),
      shutdown: async () => void events.push('shutdown'),
      quit: () => (events.push('quit'), resolveQuit()),
    });
    return { g, events, quit };
  }
  const event = () => {
    const e = { prevented: false, preventDefault: () => void (e.prevented = true) };
    return e;
  };

  it('with nothing training: holds the quit, shuts the host down, then quits for real', async () => {
    const { g, events, quit } = guard(0, true);
    const first = event();
    g.beforeQuit(first);
    expect(first.prevented).toBe(true);
    await quit;
    expect(events).toEqual(['shutdown', 'quit']);
    const last = event();
    g.beforeQuit(last);
    expect(last.prevented).toBe(false);
  });

  it('with runs training: asks, and a No keeps the app open', async () => {
    const { g, events } = guard(2, false);
    g.beforeQuit(event());
    await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(['ask: 2 runs are training.']);
    expect(g.state).toBe('running');
    expect(quitQuestion(0)).toBeNull();
    expect(quitQuestion(1)?.detail).toContain('last checkpoint');
  });

  it('a signal quits without asking', async () => {
    const { g, events, quit } = guard(1, false);
    g.quitNow();
    await quit;
    expect(events).toEqual(['shutdown', 'quit']);
  });
});

describe('paths', () => {
  it('development uses the Electron build of better-sqlite3 that npm start makes; packaged apps none', () => {
    expect(DEV_SQLITE_BINDING).toBe(ELECTRON_SQLITE_BINDING);
    const base = { appPath: '/repo', env: {}, exists: () => true };
    expect(sqliteBinding({ ...base, isPackaged: false })).toBe(join('/repo', DEV_SQLITE_BINDING));
    expect(sqliteBinding({ ...base, isPackaged: false, exists: () => false })).toBeUndefined();
    expect(sqliteBinding({ ...base, isPackaged: false, env: { LAYERWISE_SQLITE_BINDING: '/x.node' } })).toBe('/x.node');
    expect(sqliteBinding({ ...base, isPackaged: true })).toBeUndefined();
  });

  it('the preload main loads is the CommonJS build', () => {
    expect(builtFiles('/app/out/main')).toEqual({
      preload: join('/app/out/preload/index.cjs'),
      trainer: join('/app/out/main/trainer.js'),
      renderer: join('/app/out/renderer'),
    });
  });
});
