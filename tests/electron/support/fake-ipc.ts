// A fake ipcMain / ipcRenderer pair: the only fake these tests use, since no Electron binary runs here.
// It keeps what matters of Electron's behaviour: `invoke` reaches only a channel with a handler (else it
// rejects as Electron does), arguments and results are structured-cloned both ways, the handler sees the
// sender's webContents id and frame, and `webContents.send` reaches the renderer's `on` listeners.
import type { IpcMainInvokeEventLike, IpcMainLike, WebContentsLike } from '../../../electron/main/ipc.js';
import type { IpcRendererLike } from '../../../electron/preload/bridge.js';

type Handler = (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown;
type RendererListener = (event: unknown, ...args: unknown[]) => void;

export interface FrameInfo {
  webContentsId: number;
  url: string;
  /** A subframe has a parent; the main frame has none. */
  isMainFrame?: boolean;
}

export class FakeIpc {
  readonly handlers = new Map<string, Handler>();
  private readonly renderers = new Map<number, Map<string, Set<RendererListener>>>();

  readonly ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      this.handlers.set(channel, listener as Handler);
    },
    removeHandler: (channel) => void this.handlers.delete(channel),
  };

  /** The ipcRenderer of a page shown in webContents `frame.webContentsId`. */
  renderer(frame: FrameInfo): IpcRendererLike & { removeListener(channel: string, listener: RendererListener): void; listenerCount(channel: string): number } {
    const listeners = new Map<string, Set<RendererListener>>();
    this.renderers.set(frame.webContentsId, listeners);
    const event: IpcMainInvokeEventLike = {
      sender: { id: frame.webContentsId },
      senderFrame: { url: frame.url, parent: frame.isMainFrame === false ? { url: 'about:blank' } : null },
    };
    return {
      invoke: async (channel, ...args) => {
        const cloned = structuredClone(args);
        const handler = this.handlers.get(channel);
        if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
        return structuredClone(await handler(event, ...cloned));
      },
      on: (channel, listener) => {
        let set = listeners.get(channel);
        if (!set) listeners.set(channel, (set = new Set()));
        set.add(listener);
      },
      removeListener: (channel, listener) => void listeners.get(channel)?.delete(listener),
      listenerCount: (channel) => listeners.get(channel)?.size ?? 0,
    };
  }

  /** The main side's handle on webContents `id`. */
  webContents(id: number): WebContentsLike {
    return {
      id,
      isDestroyed: () => false,
      send: (channel, ...args) => {
        const cloned = structuredClone(args);
        for (const listener of this.renderers.get(id)?.get(channel) ?? []) listener({ sender: 'ipc' }, ...cloned);
      },
    };
  }
}
