// Electron main: wires Electron to the app host and stays thin. Everything it wires is a typed object or a
// pure function tested under plain Node: the window options and CSP (security.ts), the app scheme
// (app-protocol.ts), the IPC transport (ipc.ts), the menu (menu.ts), the File actions (actions.ts), the quit
// guard (lifecycle.ts), the utilityProcess adapter (trainer-process.ts); the host itself (store, run queue,
// services) is core/host/app-host.ts, shared with `layerwise serve`.
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { app, BrowserWindow, dialog, ipcMain, Menu, type MessageBoxOptions, MessageChannelMain, protocol, session, shell, utilityProcess, type WebContents } from 'electron';
import { basename } from 'node:path';
import { readFileLimited } from '../../core/files/read.js';
import { openAppHost, type AppHost } from '../../core/host/app-host.js';
import { MAX_BUNDLE_BYTES } from '../../shared/api/contract.js';
import { createAppActions, type DialogsLike } from './actions.js';
import { APP_SCHEME_PRIVILEGES, resolveAppRequest } from './app-protocol.js';
import { createEventPusher, registerIpc } from './ipc.js';
import { createQuitGuard } from './lifecycle.js';
import { buildMenuTemplate } from './menu.js';
import { appDataDir, builtFiles, sqliteBinding } from './paths.js';
import {
  APP_SCHEME,
  isTrustedSender,
  NAVIGATION_POLICY,
  openExternalLink,
  rendererUrl,
  trustedOrigin,
  windowOptions,
  withSecurityHeaders,
} from './security.js';
import { forkUtilityTrainer, openProgressPort, TRAINER_SERVICE_PREFIX, type GoneReason } from './trainer-process.js';

const devServer = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
const isDev = devServer !== undefined;
const files = builtFiles(import.meta.dirname);
const log = (message: string) => process.stderr.write(`layerwise: ${message}\n`);
/** The folder dialog's title for each kind of data that comes as a folder. */
const FOLDER_TITLES = { images: 'Choose a folder of class folders', idx: 'Choose a folder of IDX files (MNIST, Fashion-MNIST…)', cifar: 'Choose a folder of CIFAR binary batches' } as const;

// ---- before ready ----
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
app.setName('Layerwise');
// The CLI and the app share one data folder (package.json's lowercase name would give Electron another).
app.setPath('userData', appDataDir(process.env, process.cwd()));
// Presets and other bundled resources sit in the app's resources folder once packaged (electron-builder.yml).
if (app.isPackaged) process.env.LAYERWISE_RESOURCES ??= process.resourcesPath;

let host: AppHost | undefined;
let mainWindow: BrowserWindow | undefined;
const goneReasons = new Map<string, GoneReason>();

const ourWindowIds = () => new Set(BrowserWindow.getAllWindows().map((w) => w.webContents.id));

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(windowOptions(files.preload, { dev: isDev }));
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = undefined;
  });
  void window.loadURL(rendererUrl(devServer));
  mainWindow = window;
  return window;
}

/** Every webContents (the window, and anything it might try to create) is held to the navigation policy. */
function lockDown(contents: WebContents): void {
  // A link the app shows opens in the system browser only if its host is on the allow-list (security.ts).
  const external = { openExternal: (url: string) => shell.openExternal(url), log };
  contents.setWindowOpenHandler(({ url }) => {
    openExternalLink(url, external);
    return { action: NAVIGATION_POLICY.allowWindowOpen ? 'allow' : 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (NAVIGATION_POLICY.allowNavigation) return;
    event.preventDefault();
    openExternalLink(event.url, external);
  });
  contents.on('will-redirect', (event) => {
    if (!NAVIGATION_POLICY.allowNavigation) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    if (!NAVIGATION_POLICY.allowWebviews) event.preventDefault();
  });
}

function bindDialogs(): DialogsLike {
  const parent = () => mainWindow ?? BrowserWindow.getFocusedWindow() ?? undefined;
  return {
    showOpenDialog: (options) => {
      const window = parent();
      return window ? dialog.showOpenDialog(window, options) : dialog.showOpenDialog(options);
    },
    showSaveDialog: (options) => {
      const window = parent();
      return window ? dialog.showSaveDialog(window, options) : dialog.showSaveDialog(options);
    },
    showMessageBox: (options: MessageBoxOptions) => {
      const window = parent();
      return window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options);
    },
  };
}

function fatal(message: string, detail: string): void {
  log(`${message} ${detail}`);
  dialog.showErrorBox(message, detail);
  app.exit(1);
}

function openHost(): AppHost | undefined {
  const dataDir = app.getPath('userData');
  try {
    return openAppHost({
      dataDir,
      owner: 'app',
      lockWaitMs: 2_000,
      nativeBinding: sqliteBinding({ isPackaged: app.isPackaged, appPath: app.getAppPath(), env: process.env, exists: existsSync }),
      spawnTrainer: (runId) =>
        forkUtilityTrainer(utilityProcess.fork, files.trainer, {
          goneReasons,
          // Batch progress goes straight from the trainer to the page; main keeps the durable records.
          onSpawn: (child) => openProgressPort(runId, child, mainWindow?.webContents, () => new MessageChannelMain()),
        }),
      version: app.getVersion(),
      log,
      // The user's data comes through the system's file dialog here (a browser uploads it instead).
      chooseDatasetPath: async (kind) => {
        const options = kind === 'csv'
          ? { title: 'Choose a CSV file', filters: [{ name: 'CSV table', extensions: ['csv', 'txt'] }], properties: ['openFile' as const] }
          : { title: FOLDER_TITLES[kind], properties: ['openDirectory' as const] };
        const picked = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
        return picked.canceled ? null : (picked.filePaths[0] ?? null);
      },
    });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (/NODE_MODULE_VERSION|was compiled against a different|better_sqlite3\.node/.test(text)) {
      fatal('Layerwise cannot open its database', `better-sqlite3 is not built for this Electron. Start the app with \`npm start\`, which builds it.\n\n${text}`);
    } else {
      fatal('Layerwise cannot open its data folder', `${dataDir}\n\n${text}`);
    }
    return undefined;
  }
}

function start(): void {
  const origin = trustedOrigin(devServer);

  // The CSP on every response: the app scheme sets it itself; this covers the dev server (http).
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    if (details.url.startsWith('devtools:')) return callback({});
    callback({ responseHeaders: withSecurityHeaders(details.responseHeaders, { dev: isDev }) });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(NAVIGATION_POLICY.allowPermissions));
  session.defaultSession.setPermissionCheckHandler(() => NAVIGATION_POLICY.allowPermissions);
  protocol.handle(APP_SCHEME, async (request) => {
    const resolved = resolveAppRequest(request.url, files.renderer, request.method);
    if (!resolved.ok) return new Response(null, { status: resolved.status, headers: flatten(resolved.headers) });
    try {
      const body = request.method === 'HEAD' ? null : await readFile(resolved.path);
      return new Response(body, { status: 200, headers: flatten(resolved.headers) });
    } catch {
      return new Response(null, { status: 404, headers: flatten(withSecurityHeaders()) });
    }
  });

  host = openHost();
  if (!host) return;
  const opened = host;

  registerIpc(ipcMain, {
    handlers: opened.services.handlers,
    isTrustedSender: (event) => isTrustedSender(event.sender, event.senderFrame, { windowIds: ourWindowIds, origin }),
    onInternalError: (method, error) => log(`${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  });
  // Pushes (run progress, epochs, status, checkpoints, the queue) go to our windows through main.
  opened.services.events.onAny(createEventPusher(() => BrowserWindow.getAllWindows().map((w) => w.webContents)));

  const actions = createAppActions({
    handlers: opened.services.handlers,
    dialogs: bindDialogs(),
    files: {
      size: async (path) => (await stat(path)).size,
      // Counted as read, regular files only: a device or FIFO picked in the dialog is refused, not read for ever.
      read: (path) => readFileLimited(path, { maxBytes: MAX_BUNDLE_BYTES, shown: basename(path) }),
      write: (path, bytes) => writeFile(path, bytes),
    },
    openFolder: () => void shell.openPath(app.getPath('userData')),
    log,
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(actions, { platform: process.platform, isDev })));

  const guard = createQuitGuard({
    activeRuns: () => opened.queue.state().active.length,
    confirm: async (question) => (await bindDialogs().showMessageBox({ type: 'warning', ...question })).response === 0,
    shutdown: () => opened.close(),
    quit: () => app.quit(),
    log,
  });
  app.on('before-quit', (event) => guard.beforeQuit(event));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => guard.quitNow());

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

function flatten(headers: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.join(', ')]));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
  app.on('child-process-gone', (_event, details) => {
    // Why a trainer went away (killed, crashed, out of memory): its run's failure says so.
    for (const name of [details.serviceName, details.name]) {
      if (name?.startsWith(TRAINER_SERVICE_PREFIX)) goneReasons.set(name, details.reason as GoneReason);
    }
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  void app.whenReady().then(start);
}
