// What the preload exposes as `window.layerwise`: exactly the typed API (shared/api/contract.ts
// LayerwiseBridge), one function per method invoking its channel, and one `onX` per pushed event returning
// an unsubscribe. Nothing else: no ipcRenderer, no channel names, no Node. Built from an ipcRenderer-like
// object so tests run it against a fake.
import {
  API_METHODS,
  channelOf,
  eventChannelOf,
  EVENT_NAMES,
  isApiErrorShape,
  type ApiErrorShape,
  type LayerwiseBridge,
} from '../../shared/api/contract.js';
import { EventHub } from '../../shared/api/events.js';
import { PROGRESS_PORT_CHANNEL } from '../../shared/protocol/trainer.js';

function reportListenerError(error: unknown): void {
  console.error('Layerwise: an event listener threw', error);
}

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: { ports?: readonly MessagePortLike[] } | unknown, ...args: unknown[]) => void): unknown;
}

/** A DOM MessagePort as the preload receives it (Node's worker MessagePort has the same shape). */
export interface MessagePortLike {
  onmessage: ((event: { data: unknown }) => void) | null;
}

/**
 * How a failed call rejects. Across contextBridge an Error keeps only its message, so the page gets a plain
 * `{name: 'ApiError', code, message, details}` object (it survives the bridge whole); `ApiError.fromShape`
 * turns it back into an ApiError.
 */
export type BridgeRejection = ApiErrorShape & { name: 'ApiError' };

function rejection(error: ApiErrorShape): BridgeRejection {
  return { name: 'ApiError', code: error.code, message: error.message, details: error.details ?? null };
}

function unwrap(channel: string, envelope: unknown): unknown {
  if (envelope !== null && typeof envelope === 'object' && 'ok' in envelope) {
    const e = envelope as { ok: unknown; result?: unknown; error?: unknown };
    if (e.ok === true) return e.result;
    if (e.ok === false && isApiErrorShape(e.error)) throw rejection(e.error);
  }
  throw rejection({ code: 'internal', message: `${channel}: the app answered with something that is not an API envelope`, details: null });
}

export function createBridge(ipc: IpcRendererLike): LayerwiseBridge {
  const tree: Record<string, Record<string, unknown>> = {};
  for (const method of API_METHODS) {
    const [namespace, verb] = method.split('.') as [string, string];
    const channel = channelOf(method);
    (tree[namespace] ??= {})[verb] = async (input?: unknown) => {
      let envelope: unknown;
      try {
        envelope = await ipc.invoke(channel, input === undefined ? {} : input);
      } catch (error) {
        // The input could not be cloned, or main has no handler: still an API error, not a raw IPC one.
        throw rejection({ code: 'internal', message: `${method}: ${error instanceof Error ? error.message : String(error)}`, details: null });
      }
      return unwrap(channel, envelope);
    };
  }
  const bridge: Record<string, unknown> = {};
  for (const [namespace, verbs] of Object.entries(tree)) bridge[namespace] = Object.freeze(verbs);
  // One IPC listener per event channel feeds a hub; the page's subscriptions live in the hub (so many
  // subscribers never pile listeners onto ipcRenderer, and one that throws does not stop the others).
  const hub = new EventHub();
  for (const name of EVENT_NAMES) {
    // The IPC event (with its sender and ports) never reaches the page: only the payload does.
    ipc.on(eventChannelOf(name), (_event, payload) => hub.emit(name, payload as never, reportListenerError));
    bridge[name] = (listener: unknown) => {
      if (typeof listener !== 'function') throw new TypeError(`${name} takes a listener function`);
      return hub.on(name, (payload) => (listener as (payload: unknown) => void)(payload));
    };
  }
  // A run's batch progress arrives on its own port straight from the trainer (main hands the page one end
  // per run): it feeds the same onRunProgress subscribers as progress pushed through main.
  ipc.on(PROGRESS_PORT_CHANNEL, (event, payload) => {
    const port = (event as { ports?: readonly MessagePortLike[] } | null)?.ports?.[0];
    const runId = (payload as { runId?: unknown } | null)?.runId;
    if (!port || typeof runId !== 'number') return;
    port.onmessage = ({ data }) => {
      const message = data as { type?: unknown; progress?: unknown } | null;
      if (message?.type === 'progress') hub.emit('onRunProgress', { runId, progress: message.progress } as never, reportListenerError);
    };
  });
  return Object.freeze(bridge) as unknown as LayerwiseBridge;
}
