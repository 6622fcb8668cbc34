// The application menu as a plain template (Electron's MenuItemConstructorOptions): main passes it to
// `Menu.buildFromTemplate`; tests read the same template. Editing shortcuts use Electron's roles so they
// act on the focused text field; the File items call back into main.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  newProject(): void;
  importProject(): void;
  exportProject(): void;
  openDataFolder(): void;
}

export interface MenuContext {
  platform: NodeJS.Platform;
  /** Development (electron-vite dev): reload and DevTools are offered. */
  isDev: boolean;
  appName?: string;
}

const separator: MenuItemConstructorOptions = { type: 'separator' };

export function buildMenuTemplate(actions: MenuActions, context: MenuContext): MenuItemConstructorOptions[] {
  const mac = context.platform === 'darwin';
  const appName = context.appName ?? 'Layerwise';
  const template: MenuItemConstructorOptions[] = [];

  if (mac) {
    template.push({
      label: appName,
      submenu: [
        { role: 'about' },
        separator,
        { role: 'services' },
        separator,
        { role: 'hide', accelerator: 'Command+H' },
        { role: 'hideOthers', accelerator: 'Command+Alt+H' },
        { role: 'unhide' },
        separator,
        { role: 'quit', accelerator: 'Command+Q' },
      ],
    });
  }

  template.push({
    label: '&File',
    submenu: [
      { id: 'file.new-project', label: 'New Project', accelerator: 'CmdOrCtrl+N', click: () => actions.newProject() },
      separator,
      { id: 'file.import-project', label: 'Import Project…', accelerator: 'CmdOrCtrl+O', click: () => actions.importProject() },
      { id: 'file.export-project', label: 'Export Project…', accelerator: 'CmdOrCtrl+Shift+E', click: () => actions.exportProject() },
      separator,
      { id: 'file.open-data-folder', label: 'Show Data Folder', click: () => actions.openDataFolder() },
      ...(mac ? [] : [separator, { role: 'quit', label: 'Quit', accelerator: 'CmdOrCtrl+Q' } satisfies MenuItemConstructorOptions]),
    ],
  });

  template.push({
    label: '&Edit',
    submenu: [
      { role: 'undo', accelerator: 'CmdOrCtrl+Z' },
      { role: 'redo', accelerator: context.platform === 'win32' ? 'Ctrl+Y' : 'Shift+CmdOrCtrl+Z' },
      separator,
      { role: 'cut', accelerator: 'CmdOrCtrl+X' },
      { role: 'copy', accelerator: 'CmdOrCtrl+C' },
      { role: 'paste', accelerator: 'CmdOrCtrl+V' },
      ...(mac ? [{ role: 'pasteAndMatchStyle', accelerator: 'Shift+Command+Alt+V' } satisfies MenuItemConstructorOptions] : []),
      { role: 'delete' },
      separator,
      { role: 'selectAll', accelerator: 'CmdOrCtrl+A' },
    ],
  });

  const devItems: MenuItemConstructorOptions[] = context.isDev
    ? [
        { role: 'reload', accelerator: 'CmdOrCtrl+R' },
        { role: 'forceReload', accelerator: 'Shift+CmdOrCtrl+R' },
        { role: 'toggleDevTools', accelerator: mac ? 'Alt+Command+I' : 'Ctrl+Shift+I' },
        separator,
      ]
    : [];
  template.push({
    label: '&View',
    submenu: [
      ...devItems,
      { role: 'resetZoom', accelerator: 'CmdOrCtrl+0' },
      { role: 'zoomIn', accelerator: 'CmdOrCtrl+Plus' },
      { role: 'zoomOut', accelerator: 'CmdOrCtrl+-' },
      separator,
      { role: 'togglefullscreen', accelerator: mac ? 'Ctrl+Command+F' : 'F11' },
    ],
  });

  template.push({
    label: '&Window',
    role: 'windowMenu',
    submenu: [
      { role: 'minimize', accelerator: 'CmdOrCtrl+M' },
      { role: 'close', accelerator: 'CmdOrCtrl+W' },
      ...(mac ? [separator, { role: 'front' } satisfies MenuItemConstructorOptions] : []),
    ],
  });

  template.push({
    label: '&Help',
    role: 'help',
    submenu: [
      ...(mac ? [] : [{ role: 'about', label: `About ${appName}` } satisfies MenuItemConstructorOptions]),
      { id: 'help.data-folder', label: 'Show Data Folder', click: () => actions.openDataFolder() },
    ],
  });

  return template;
}
