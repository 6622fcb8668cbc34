// The Electron transport (electron/main/ipc.ts + electron/preload/bridge.ts) over a fake ipcMain/ipcRenderer
// pair, in front of the real services on a real store in a temporary folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../core/services/services.js';
import { Store } from '../../core/store/index.js';
import { API_CHANNELS, createEventPusher, EVENT_CHANNELS, registerIpc } from '../../electron/main/ipc.js';
import { createBridge } from '../../electron/preload/bridge.js';
import { APP_ENTRY_URL, APP_ORIGIN, isTrustedSender } from '../../electron/main/security.js';
import { API_METHODS, channelOf, EVENT_NAMES, type LayerwiseBridge, type QueueState } from '../../shared/api/contract.js';
import { FakeIpc } from './support/fake-ipc.js';

const WINDOW = 1;

let dir: string;
let store: Store;
let services: Services;
let ipc: FakeIpc;
let dispose: () => void;
let internalErrors: unknown[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'layerwise-ipc-'));
  store = Store.open(dir);
  services = createServices({ store, log: () => {} });
  ipc = new FakeIpc();
  internalErrors = [];
  dispose = registerIpc(ipc.ipcMain, {
    handlers: services.handlers,
    isTrustedSender: (event) => isTrustedSender(event.sender, event.senderFrame, { windowIds: new Set([WINDOW]), origin: APP_ORIGIN }),
    onInternalError: (_method, error) => internalErrors.push(error),
  });
});

afterEach(async () => {
  dispose();
  await services.queue.shutdown();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ourPage = () => createBridge(ipc.renderer({ webContentsId: WINDOW, url: APP_ENTRY_URL }));

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

describe('IPC transport', () => {
  it('registers exactly one handler per API method, on its channel, and removes them', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(API_METHODS.map((m) => channelOf(m)).sort());
    expect([...API_CHANNELS].sort()).toEqual([...ipc.handlers.keys()].sort());
    dispose();
    expect(ipc.handlers.size).toBe(0);
    dispose = () => {};
  });

  it('carries calls and results for our own window', async () => {
    const api = ourPage();
    const project = await api.projects.create({ name: 'Digits' });
    expect(project).toMatchObject({ name: 'Digits', notes: '' });
    expect(await api.projects.list()).toEqual([project]);
    const info = await api.app.info();
    expect(info.dataDir).toBe(store.report.dataDir);
  });

  it('refuses a foreign window, a subframe and a foreign page, and runs nothing for them', async () => {
    const foreignWindow = createBridge(ipc.renderer({ webContentsId: 2, url: APP_ENTRY_URL }));
    const subframe = createBridge(ipc.renderer({ webContentsId: WINDOW, url: APP_ENTRY_URL, isMainFrame: false }));
    const foreignPage = createBridge(ipc.renderer({ webContentsId: WINDOW, url: 'https://evil.example/' }));
    const fileUrl = createBridge(ipc.renderer({ webContentsId: WINDOW, url: 'file:///tmp/x.html' }));
    for (const api of [foreignWindow, subframe, foreignPage, fileUrl]) {
      expect(await rejection(api.projects.create({ name: 'sneaky' }))).toMatchObject({ name: 'ApiError', code: 'forbidden' });
    }
    expect(store.listProjects()).toEqual([]);
  });

  it('refuses a bad payload with invalid_input naming the field, and stores nothing', async () => {
    const api = ourPage();
    const wrongType = await rejection(api.projects.create({ name: 5 as unknown as string }));
    expect(wrongType).toMatchObject({ code: 'invalid_input', details: { method: 'projects.create' } });
    expect(String(wrongType.message)).toContain('name');
    const unknownKey = await rejection(api.projects.create({ name: 'x', owner: 'root' } as never));
    expect(unknownKey).toMatchObject({ code: 'invalid_input' });
    const polluted = await rejection(api.projects.create(JSON.parse('{"name":"x","__proto__":{"admin":true}}')));
    expect(polluted).toMatchObject({ code: 'invalid_input' });
    expect(String(polluted.message)).toContain('__proto__');
    const notAnObject = await rejection(api.runs.get(7 as never));
    expect(notAnObject).toMatchObject({ code: 'invalid_input' });
    expect(store.listProjects()).toEqual([]);
    expect(internalErrors).toEqual([]);
  });

  it('refuses extra arguments and inputs that cannot cross IPC', async () => {
    const renderer = ipc.renderer({ webContentsId: WINDOW, url: APP_ENTRY_URL });
    const envelope = await renderer.invoke(channelOf('projects.list'), {}, 'extra');
    expect(envelope).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const api = createBridge(renderer);
    // A function cannot be cloned: refused before it leaves the page.
    expect(await rejection(api.projects.create({ name: (() => 'x') as unknown as string }))).toMatchObject({ code: 'internal' });
  });

  it('refuses an unknown channel', async () => {
    const renderer = ipc.renderer({ webContentsId: WINDOW, url: APP_ENTRY_URL });
    await expect(renderer.invoke('layerwise:projects.drop', {})).rejects.toThrow(/No handler registered/);
    await expect(renderer.invoke('layerwise:store.sqlite', {})).rejects.toThrow(/No handler registered/);
  });

  it('errors cross as {code, message, details}', async () => {
    const api = ourPage();
    const missing = await rejection(api.runs.get({ id: 999 }));
    expect(missing).toEqual({ name: 'ApiError', code: 'not_found', message: expect.stringContaining('999'), details: expect.anything() });
    expect(Object.keys(missing).sort()).toEqual(['code', 'details', 'message', 'name']);
  });

  it('pushes events to the window, and unsubscribing stops them', async () => {
    const api = ourPage();
    const other = createBridge(ipc.renderer({ webContentsId: 2, url: APP_ENTRY_URL }));
    services.events.onAny(createEventPusher(() => [ipc.webContents(WINDOW)]));
    const seen: QueueState[] = [];
    const leaked: QueueState[] = [];
    const off = api.onQueueChanged((state) => seen.push(state));
    other.onQueueChanged((state) => leaked.push(state));
    await api.queue.setConcurrency({ concurrency: 2 });
    expect(seen.at(-1)).toEqual({ concurrency: 2, active: [], pending: [] });
    off();
    off();
    const count = seen.length;
    await api.queue.setConcurrency({ concurrency: 3 });
    expect(seen).toHaveLength(count);
    expect(leaked).toEqual([]);
  });
});

describe('preload bridge', () => {
  it('exposes exactly the API methods and the event subscriptions, nothing else', () => {
    const renderer = ipc.renderer({ webContentsId: WINDOW, url: APP_ENTRY_URL });
    const bridge = createBridge(renderer) as unknown as Record<string, unknown>;
    const exposed: string[] = [];
    for (const [key, value] of Object.entries(bridge)) {
      if (typeof value === 'function') exposed.push(key);
      else for (const [verb, fn] of Object.entries(value as Record<string, unknown>)) {
        expect(typeof fn).toBe('function');
        exposed.push(`${key}.${verb}`);
      }
    }
    expect(exposed.sort()).toEqual([...API_METHODS, ...EVENT_NAMES].sort());
    expect(Object.isFrozen(bridge)).toBe(true);
    // It listens on the event channels only.
    for (const channel of EVENT_CHANNELS) expect(renderer.listenerCount(channel)).toBe(1);
  });

  it('a listener that throws does not stop the others', async () => {
    const api: LayerwiseBridge = ourPage();
    services.events.onAny(createEventPusher(() => [ipc.webContents(WINDOW)]));
    const seen: number[] = [];
    const errors = console.error;
    console.error = () => {};
    try {
      api.onQueueChanged(() => {
        throw new Error('boom');
      });
      api.onQueueChanged((s) => seen.push(s.concurrency));
      await api.queue.setConcurrency({ concurrency: 4 });
    } finally {
      console.error = errors;
    }
    expect(seen).toContain(4);
    expect(() => api.onRunProgress('nope' as never)).toThrow(TypeError);
  });
});
