// The Electron transport of the API (shared/api/contract.ts): one `ipcMain.handle` per method on
// `channelOf(method)`, and pushed events sent to the window on `eventChannelOf(name)`. Every call is checked
// before anything runs: the sender must be our own window's main frame showing our own page, the method's
// input must pass the contract's schema (validateInput), and whatever happens the answer is an ApiEnvelope,
// because ipcMain.handle would keep only an Error's message. Written against narrow interfaces so a test
// pairs it with a fake ipcMain/ipcRenderer (tests/electron/ipc.test.ts) and runs the contract suite through it.
import {
  API_METHODS,
  ApiError,
  channelOf,
  eventChannelOf,
  EVENT_NAMES,
  type ApiEnvelope,
  type ApiErrorShape,
  type ApiEventPayloads,
  type ApiHandlers,
  type ApiMethod,
  type EventName,
} from '../../shared/api/contract.js';
import { validateInput } from '../../shared/api/validate.js';
import type { SenderFrameLike, SenderLike } from './security.js';

export interface IpcMainInvokeEventLike {
  readonly sender: SenderLike;
  readonly senderFrame: SenderFrameLike | null;
}

/** The part of Electron's ipcMain the transport uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** Where pushes go: a window's webContents. */
export interface WebContentsLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface IpcTransportOptions {
  /** The services, flat: `handlers['runs.get'](input)` (core/services). */
  handlers: ApiHandlers;
  /** Whether a call's sender may use the API (security.ts `isTrustedSender` in the app). */
  isTrustedSender(event: IpcMainInvokeEventLike): boolean;
  /** Called with errors that are not ApiErrors (bugs): main logs them. */
  onInternalError?(method: ApiMethod, error: unknown): void;
}

/** Any thrown value as the `{code, message, details}` that crosses the transport. */
export function toErrorShape(method: string, error: unknown): ApiErrorShape {
  if (error instanceof ApiError) return error.toJSON();
  const message = error instanceof Error ? error.message : String(error);
  const storeCode = (error as { code?: unknown } | null)?.code;
  return {
    code: 'internal',
    message: `${method} failed: ${message}`,
    details: typeof storeCode === 'string' ? { storeCode } : null,
  };
}

export const FORBIDDEN_SENDER: ApiErrorShape = Object.freeze({
  code: 'forbidden',
  message: 'this frame may not use the Layerwise API (only the app window’s own page may)',
  details: null,
});

/** Serves one call; exported for tests that want the envelope without a fake ipcMain. */
export async function serveCall(
  method: ApiMethod,
  event: IpcMainInvokeEventLike,
  args: readonly unknown[],
  options: IpcTransportOptions,
): Promise<ApiEnvelope> {
  if (!options.isTrustedSender(event)) return { ok: false, error: FORBIDDEN_SENDER };
  try {
    if (args.length > 1) {
      throw new ApiError('invalid_input', `${method}: takes one input object (got ${args.length} arguments)`, {
        method,
        errors: [{ path: '', message: `takes one input object (got ${args.length} arguments)` }],
      });
    }
    const input = validateInput(method, args[0]);
    const handler = options.handlers[method] as (input: unknown) => Promise<unknown>;
    const result = await handler(input);
    return { ok: true, result: result === undefined ? null : result };
  } catch (error) {
    if (!(error instanceof ApiError)) options.onInternalError?.(method, error);
    return { ok: false, error: toErrorShape(method, error) };
  }
}

/** Registers a handler for every method; returns a function that removes them. */
export function registerIpc(ipcMain: IpcMainLike, options: IpcTransportOptions): () => void {
  for (const method of API_METHODS) {
    ipcMain.handle(channelOf(method), (event, ...args) => serveCall(method, event, args, options));
  }
  return () => {
    for (const method of API_METHODS) ipcMain.removeHandler(channelOf(method));
  };
}

/** The channels registerIpc serves, and the ones pushes use: the whole IPC surface. */
export const API_CHANNELS: readonly string[] = Object.freeze(API_METHODS.map((m) => channelOf(m)));
export const EVENT_CHANNELS: readonly string[] = Object.freeze(EVENT_NAMES.map((e) => eventChannelOf(e)));

export type PushEvent = <E extends EventName>(name: E, payload: ApiEventPayloads[E]) => void;

/** Sends pushed events to the windows `targets()` returns (skipping destroyed ones). */
export function createEventPusher(targets: () => Iterable<WebContentsLike>): PushEvent {
  return (name, payload) => {
    const channel = eventChannelOf(name);
    for (const contents of targets()) {
      if (!contents.isDestroyed()) contents.send(channel, payload);
    }
  };
}
