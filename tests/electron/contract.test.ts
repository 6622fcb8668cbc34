// The API contract suite (tests/host/contract-suite.ts) through the Electron transport: the real services
// behind electron/main/ipc.ts, called through the preload's bridge (electron/preload/bridge.ts), over a fake
// ipcMain/ipcRenderer pair (the only fake: no Electron binary runs here).
import { beforeAll } from 'vitest';
import { createEventPusher, registerIpc } from '../../electron/main/ipc.js';
import { APP_ENTRY_URL, APP_ORIGIN, isTrustedSender } from '../../electron/main/security.js';
import { createBridge } from '../../electron/preload/bridge.js';
import { ApiError, type ApiMethod, type LayerwiseBridge } from '../../shared/api/contract.js';
import { createApiClient } from '../../shared/api/client.js';
import { runContractSuite } from '../host/contract-suite.js';
import { openTestServices } from '../host/support.js';
import { ensureBuilt } from '../support/build.js';
import { FakeIpc } from './support/fake-ipc.js';

beforeAll(() => ensureBuilt());

/**
 * What the page does with `window.layerwise`: call the method, and turn a rejection (a plain
 * `{code, message, details}`, since an Error crossing contextBridge keeps only its message) into an ApiError.
 */
function invokeThrough(bridge: LayerwiseBridge) {
  return async (method: ApiMethod, input: unknown) => {
    const [namespace, verb] = method.split('.') as [string, string];
    const fn = (bridge as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>)[namespace]![verb]!;
    try {
      return await fn(input);
    } catch (error) {
      throw ApiError.fromShape(error);
    }
  };
}

runContractSuite('Electron IPC (preload bridge over fake ipcMain/ipcRenderer)', async () => {
  const test = openTestServices();
  const ipc = new FakeIpc();
  const window = 1;
  const dispose = registerIpc(ipc.ipcMain, {
    handlers: test.services.handlers,
    isTrustedSender: (event) => isTrustedSender(event.sender, event.senderFrame, { windowIds: new Set([window]), origin: APP_ORIGIN }),
  });
  const stopPushing = test.services.events.onAny(createEventPusher(() => [ipc.webContents(window)]));
  const bridge = createBridge(ipc.renderer({ webContentsId: window, url: APP_ENTRY_URL }));
  return {
    api: createApiClient(invokeThrough(bridge)),
    events: bridge,
    close: async () => {
      stopPushing();
      dispose();
      await test.close();
    },
  };
});
