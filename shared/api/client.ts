// A typed client over any transport: give it a function that carries one call (IPC invoke, HTTP POST)
// and get `LayerwiseApi` back. Pure TypeScript, no DOM: the preload, the browser page and the tests use it.
import { ApiError } from './errors.js';
import { API_METHODS, EVENT_NAMES, type ApiMethod, type EventName, type LayerwiseApi, type LayerwiseBridge, type LayerwiseEvents } from './contract.js';
import { validateInput } from './validate.js';

/** Carries one call; rejects with an ApiError (a transport turns what it received into one). */
export type Invoke = (method: ApiMethod, input: unknown) => Promise<unknown>;

export interface ApiClientOptions {
  /**
   * Check inputs before sending (the receiving side checks again, always): a wrong call fails fast with
   * the same error, without a round trip. Off by default so the wire is what the caller wrote.
   */
  validateBeforeSend?: boolean;
}

export function createApiClient(invoke: Invoke, options: ApiClientOptions = {}): LayerwiseApi {
  const api: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> = {};
  for (const method of API_METHODS) {
    const [namespace, verb] = method.split('.') as [string, string];
    api[namespace] ??= {};
    api[namespace][verb] = async (input?: unknown) => {
      const payload = input === undefined ? {} : input;
      if (options.validateBeforeSend) validateInput(method, payload);
      try {
        return await invoke(method, payload);
      } catch (error) {
        if (error instanceof ApiError) throw error;
        throw new ApiError('internal', `${method}: ${error instanceof Error ? error.message : String(error)}`, { method });
      }
    };
  }
  return api as unknown as LayerwiseApi;
}

/** The API plus the `onX` subscriptions, as `window.layerwise` looks. */
export function createBridge(invoke: Invoke, events: LayerwiseEvents, options?: ApiClientOptions): LayerwiseBridge {
  const bridge = createApiClient(invoke, options) as unknown as Record<string, unknown>;
  for (const name of EVENT_NAMES as readonly EventName[]) bridge[name] = events[name];
  return bridge as unknown as LayerwiseBridge;
}
