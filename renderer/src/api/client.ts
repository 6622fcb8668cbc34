// The page's one way to the rest of the app: the typed API (shared/api/contract.ts). In Electron the
// preload exposes it as `window.layerwise`; in a browser (`layerwise serve`) calls go over HTTP
// (`POST /api/<method>`, `Authorization: Bearer TOKEN`) and pushes over Server-Sent Events. Like Vitest
// UI's client, the instance is swappable: tests install a fake with `setApi`.
import { shallowRef } from 'vue';
import {
  ApiError,
  createBridge,
  EVENT_NAMES,
  EventHub,
  pathOf,
  type ApiMethod,
  type EventName,
  type LayerwiseBridge,
  type LayerwiseEvents,
} from '../../../shared/api/index.js';

const current = shallowRef<LayerwiseBridge | null>(null);

/** Installs the API the page uses (tests give a fake; `connect()` picks the real one). */
export function setApi(api: LayerwiseBridge | null): void {
  current.value = api;
}

/** The API in use; throws before one is installed. */
export function useApi(): LayerwiseBridge {
  const api = current.value;
  if (!api) throw new Error('Layerwise: no API client installed (call connect() or setApi())');
  return api;
}

export function hasApi(): boolean {
  return current.value !== null;
}

/** Turns whatever a call rejected with (a bridge's plain shape, a fetch error) into an ApiError. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error !== null && typeof error === 'object' && 'code' in error && 'message' in error) return ApiError.fromShape(error);
  return new ApiError('internal', error instanceof Error ? error.message : String(error));
}

/** Wraps the preload's bridge so that rejections are real ApiErrors. */
function fromPreload(bridge: LayerwiseBridge): LayerwiseBridge {
  const flat = bridge as unknown as Record<string, Record<string, (input?: unknown) => Promise<unknown>>>;
  const events: Partial<LayerwiseEvents> = {};
  for (const name of EVENT_NAMES) (events as Record<string, unknown>)[name] = (bridge as unknown as Record<string, unknown>)[name];
  return createBridge(
    async (method: ApiMethod, input: unknown) => {
      const [ns, verb] = method.split('.') as [string, string];
      try {
        return await flat[ns]![verb]!(input);
      } catch (error) {
        throw toApiError(error);
      }
    },
    events as LayerwiseEvents,
  );
}

export interface HttpTransportOptions {
  token: string;
  /** Origin of the browser host; the page's own by default. */
  base?: string;
  fetch?: typeof fetch;
  /** The EventSource constructor (absent: no pushes). */
  eventSource?: typeof EventSource;
}

const reconnectListeners = new Set<() => void>();

/** Called each time the event stream opens again after a break (events may have been missed); returns the unsubscriber. */
export function onEventsReconnected(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

/** The browser host's transport: HTTP for calls, SSE for pushes. */
export function createHttpBridge(options: HttpTransportOptions): LayerwiseBridge & { close(): void } {
  const base = options.base ?? '';
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const hub = new EventHub();
  let source: EventSource | null = null;
  const ensureStream = () => {
    if (source || !options.eventSource) return;
    source = new options.eventSource(`${base}/api/events?token=${encodeURIComponent(options.token)}`);
    // The host closes a stream the page reads too slowly (a busy machine) and EventSource opens it again: events
    // sent in between are gone, so whoever shows live state reads it afresh on every reopening.
    let opened = false;
    source.addEventListener('open', () => {
      if (opened) for (const listener of [...reconnectListeners]) listener();
      opened = true;
    });
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (event) => {
        let payload: unknown;
        try {
          payload = JSON.parse((event as MessageEvent<string>).data);
        } catch {
          return;
        }
        hub.emit(name, payload as never, (e) => console.error('Layerwise: an event listener threw', e));
      });
    }
  };
  const events = {} as Record<EventName, unknown>;
  for (const name of EVENT_NAMES) {
    events[name] = (listener: (payload: unknown) => void) => {
      ensureStream();
      return hub.on(name, listener as never);
    };
  }
  const bridge = createBridge(async (method, input) => {
    let response: Response;
    try {
      response = await doFetch(`${base}${pathOf(method)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${options.token}` },
        body: JSON.stringify(input ?? {}),
      });
    } catch (error) {
      throw new ApiError('internal', `${method}: the studio host cannot be reached (${error instanceof Error ? error.message : String(error)})`, { method });
    }
    let body: unknown = null;
    const text = await response.text();
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiError('internal', `${method}: the host answered with something that is not JSON`, { method, status: response.status });
      }
    }
    if (!response.ok) throw ApiError.fromShape(body);
    return body;
  }, events as unknown as LayerwiseEvents);
  return Object.assign(bridge, { close: () => source?.close() });
}

/** The browser host's token, for the one request that is not an API call: a file upload's PUT. */
let uploadToken: string | null = null;

/** Whether this page can stream files to its host (the browser host; the desktop app reads paths instead). */
export function canUpload(): boolean {
  return uploadToken !== null;
}

/**
 * Streams one file of an upload (`datasets.beginUpload`) to the browser host: `PUT <ticket.path>?path=<relative
 * path>`, with progress as bytes leave (XMLHttpRequest: fetch reports no upload progress). Rejects with an ApiError.
 */
export function uploadFile(ticketPath: string, relativePath: string, file: Blob, onProgress?: (sent: number) => void): Promise<void> {
  const token = uploadToken;
  if (!token) return Promise.reject(new ApiError('conflict', 'this page has no browser host to upload to'));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', `${ticketPath}?path=${encodeURIComponent(relativePath)}`);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress?.(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: described below
      }
      reject(body ? ApiError.fromShape(body) : new ApiError('internal', `${relativePath}: the host answered ${xhr.status}`));
    };
    xhr.onerror = () => reject(new ApiError('internal', `${relativePath}: the upload broke off (the host refused it or went away)`));
    xhr.send(file);
  });
}

/** Where the tab keeps the host's token so a reload stays connected (per tab, gone when the tab closes). */
export const TOKEN_KEY = 'layerwise.token';

function sessionToken(win: Window): { get(): string | null; set(token: string): void } {
  try {
    const storage = win.sessionStorage;
    return { get: () => storage.getItem(TOKEN_KEY), set: (token) => storage.setItem(TOKEN_KEY, token) };
  } catch {
    return { get: () => null, set: () => {} };
  }
}

/**
 * Picks the transport: the preload's `window.layerwise` in Electron, else the browser host with the token from
 * `?token=`, removed from the address bar (so it is not bookmarked, shared or sent as a referrer) and kept in
 * the tab's sessionStorage so that reloading the page stays connected.
 */
export function connect(win: Window = window): LayerwiseBridge | null {
  const preload = (win as unknown as { layerwise?: LayerwiseBridge }).layerwise;
  if (preload) {
    const api = fromPreload(preload);
    setApi(api);
    return api;
  }
  const url = new URL(win.location.href);
  const kept = sessionToken(win);
  const token = url.searchParams.get('token') ?? kept.get();
  if (!token) return null;
  kept.set(token);
  if (url.searchParams.has('token')) {
    url.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  }
  const api = createHttpBridge({ token, eventSource: (win as unknown as { EventSource?: typeof EventSource }).EventSource });
  uploadToken = token;
  setApi(api);
  return api;
}
