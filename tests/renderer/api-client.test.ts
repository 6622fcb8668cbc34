// @vitest-environment happy-dom
// The page's API client: the browser host's HTTP + SSE transport, the preload bridge, and how the page
// picks one (the token leaves the address bar).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../shared/api/index.js';
import { connect, createHttpBridge, hasApi, onEventsReconnected, setApi, TOKEN_KEY, useApi } from '../../renderer/src/api/client.js';

class FakeEventSource {
  static last: FakeEventSource | null = null;
  readonly listeners = new Map<string, ((e: { data: string }) => void)[]>();
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(name: string, fn: (e: { data: string }) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
  }
  push(name: string, payload: unknown) {
    for (const fn of this.listeners.get(name) ?? []) fn({ data: JSON.stringify(payload) });
  }
  close() {
    this.closed = true;
  }
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

afterEach(() => setApi(null));

describe('HTTP transport', () => {
  it('POSTs each call to /api/<method> with the bearer token and returns the JSON result', async () => {
    const fetch = vi.fn(async () => jsonResponse(200, [{ id: 1, name: 'P', notes: '', createdAt: '2026-01-01T00:00:00Z' }]));
    const api = createHttpBridge({ token: 'secret', base: 'http://127.0.0.1:9', fetch: fetch as unknown as typeof globalThis.fetch });
    const projects = await api.projects.list();
    expect(projects[0]!.name).toBe('P');
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://127.0.0.1:9/api/projects.list');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer secret');
    expect(init.body).toBe('{}');
  });

  it('turns an error answer into an ApiError with its code and details', async () => {
    const fetch = vi.fn(async () => jsonResponse(404, { code: 'not_found', message: 'RunNotFound: run 42 does not exist', details: { storeCode: 'RunNotFound' } }));
    const api = createHttpBridge({ token: 't', fetch: fetch as unknown as typeof globalThis.fetch });
    const error = await api.runs.get({ id: 42 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('not_found');
    expect((error as ApiError).details).toEqual({ storeCode: 'RunNotFound' });
  });

  it('reports an unreachable host as an ApiError', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const api = createHttpBridge({ token: 't', fetch: fetch as unknown as typeof globalThis.fetch });
    await expect(api.app.info()).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('cannot be reached') });
  });

  it('opens one event stream on the first subscription and delivers pushed events', async () => {
    const api = createHttpBridge({ token: 'a b', fetch: vi.fn() as unknown as typeof fetch, eventSource: FakeEventSource as unknown as typeof EventSource });
    expect(FakeEventSource.last).toBeNull();
    const seen: unknown[] = [];
    const off = api.onRunStatus((e) => seen.push(e.status));
    api.onQueueChanged(() => {});
    const source = FakeEventSource.last!;
    expect(source.url).toBe('/api/events?token=a%20b');
    source.push('onRunStatus', { runId: 1, status: 'running', run: null });
    off();
    source.push('onRunStatus', { runId: 1, status: 'completed', run: null });
    expect(seen).toEqual(['running']);
    api.close();
    expect(source.closed).toBe(true);
  });

  it('tells the page when the event stream opens again after a break, not when it first opens', () => {
    FakeEventSource.last = null;
    const api = createHttpBridge({ token: 't', fetch: vi.fn() as unknown as typeof fetch, eventSource: FakeEventSource as unknown as typeof EventSource });
    let reopened = 0;
    const off = onEventsReconnected(() => reopened++);
    api.onRunStatus(() => {});
    const source = FakeEventSource.last!;
    source.push('open', {});
    expect(reopened).toBe(0);
    source.push('open', {});
    source.push('open', {});
    expect(reopened).toBe(2);
    off();
    source.push('open', {});
    expect(reopened).toBe(2);
    api.close();
  });
});

describe('connect', () => {
  it('takes the token from ?token=, keeps it in memory and removes it from the address bar', async () => {
    window.history.replaceState(null, '', '/studio?token=tok123&x=1#h');
    const fetch = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => jsonResponse(200, []));
    const api = connect(window);
    expect(api).not.toBeNull();
    expect(window.location.href).not.toContain('tok123');
    expect(window.location.search).toBe('?x=1');
    expect(hasApi()).toBe(true);
    await useApi().projects.list();
    const init = fetch.mock.calls[0]![1] as RequestInit;
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok123');
    fetch.mockRestore();
  });

  it('uses the preload bridge in Electron and restores ApiErrors from its plain rejections', async () => {
    const preload = {
      projects: { list: async () => Promise.reject({ name: 'ApiError', code: 'conflict', message: 'busy', details: null }) },
      onRunProgress: () => () => {},
      onRunEpoch: () => () => {},
      onRunStatus: () => () => {},
      onRunCheckpoint: () => () => {},
      onQueueChanged: () => () => {},
    };
    const win = { layerwise: preload, location: window.location, history: window.history } as unknown as Window;
    connect(win);
    const error = await useApi().projects.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('conflict');
  });

  it('keeps the token in the tab so a reload (no ?token=) stays connected', async () => {
    window.history.replaceState(null, '', '/?token=kept42');
    connect(window);
    window.history.replaceState(null, '', '/');
    const fetch = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => jsonResponse(200, []));
    expect(connect(window)).not.toBeNull();
    await useApi().projects.list();
    expect(((fetch.mock.calls[0]![1] as RequestInit).headers as Record<string, string>).Authorization).toBe('Bearer kept42');
    fetch.mockRestore();
  });

  it('installs nothing without a token or a preload', () => {
    window.sessionStorage.removeItem(TOKEN_KEY);
    window.history.replaceState(null, '', '/');
    expect(connect(window)).toBeNull();
    expect(hasApi()).toBe(false);
    expect(() => useApi()).toThrow(/no API client/);
  });
});
