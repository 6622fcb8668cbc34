// The application menu template (electron/main/menu.ts), as main hands it to Menu.buildFromTemplate.
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate, type MenuActions } from '../../electron/main/menu.js';

function actions() {
  return {
    newProject: vi.fn<() => void>(),
    importProject: vi.fn<() => void>(),
    exportProject: vi.fn<() => void>(),
    openDataFolder: vi.fn<() => void>(),
  } satisfies MenuActions;
}

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

const byRole = (items: MenuItemConstructorOptions[], role: string) => items.find((i) => i.role === role);
const byId = (items: MenuItemConstructorOptions[], id: string) => items.find((i) => i.id === id);
const labels = (items: MenuItemConstructorOptions[]) => items.map((i) => (i.label ?? i.role ?? '').replace('&', ''));

describe('application menu', () => {
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    describe(platform, () => {
      const template = buildMenuTemplate(actions(), { platform, isDev: false });
      const all = flatten(template);

      it('has the usual menus in the usual order', () => {
        const expected = ['File', 'Edit', 'View', 'Window', 'Help'];
        expect(labels(template)).toEqual(platform === 'darwin' ? ['Layerwise', ...expected] : expected);
      });

      it('File: new, import, export project and quit with their shortcuts', () => {
        expect(byId(all, 'file.new-project')?.accelerator).toBe('CmdOrCtrl+N');
        expect(byId(all, 'file.import-project')?.accelerator).toBe('CmdOrCtrl+O');
        expect(byId(all, 'file.export-project')?.accelerator).toBe('CmdOrCtrl+Shift+E');
        expect(byRole(all, 'quit')?.accelerator).toBe(platform === 'darwin' ? 'Command+Q' : 'CmdOrCtrl+Q');
      });

      it('Edit: undo, redo, cut, copy, paste, select all', () => {
        expect(byRole(all, 'undo')?.accelerator).toBe('CmdOrCtrl+Z');
        expect(byRole(all, 'redo')?.accelerator).toBe(platform === 'win32' ? 'Ctrl+Y' : 'Shift+CmdOrCtrl+Z');
        expect(byRole(all, 'cut')?.accelerator).toBe('CmdOrCtrl+X');
        expect(byRole(all, 'copy')?.accelerator).toBe('CmdOrCtrl+C');
        expect(byRole(all, 'paste')?.accelerator).toBe('CmdOrCtrl+V');
        expect(byRole(all, 'selectAll')?.accelerator).toBe('CmdOrCtrl+A');
      });

      it('View: zoom, and no reload or DevTools outside development', () => {
        expect(byRole(all, 'resetZoom')?.accelerator).toBe('CmdOrCtrl+0');
        expect(byRole(all, 'zoomIn')?.accelerator).toBe('CmdOrCtrl+Plus');
        expect(byRole(all, 'zoomOut')?.accelerator).toBe('CmdOrCtrl+-');
        expect(byRole(all, 'reload')).toBeUndefined();
        expect(byRole(all, 'forceReload')).toBeUndefined();
        expect(byRole(all, 'toggleDevTools')).toBeUndefined();
      });

      it('no two items share a shortcut', () => {
        const accelerators = all.map((i) => i.accelerator).filter(Boolean);
        expect(new Set(accelerators).size).toBe(accelerators.length);
      });
    });
  }

  it('development adds reload and DevTools', () => {
    const all = flatten(buildMenuTemplate(actions(), { platform: 'linux', isDev: true }));
    expect(byRole(all, 'reload')?.accelerator).toBe('CmdOrCtrl+R');
    expect(byRole(all, 'toggleDevTools')?.accelerator).toBe('Ctrl+Shift+I');
    const mac = flatten(buildMenuTemplate(actions(), { platform: 'darwin', isDev: true }));
    expect(byRole(mac, 'toggleDevTools')?.accelerator).toBe('Alt+Command+I');
  });

  it('File items call their actions', () => {
    const a = actions();
    const all = flatten(buildMenuTemplate(a, { platform: 'linux', isDev: false }));
    const click = (id: string) => (byId(all, id)!.click as () => void)();
    click('file.new-project');
    click('file.import-project');
    click('file.export-project');
    click('file.open-data-folder');
    expect(a.newProject).toHaveBeenCalledTimes(1);
    expect(a.importProject).toHaveBeenCalledTimes(1);
    expect(a.exportProject).toHaveBeenCalledTimes(1);
    expect(a.openDataFolder).toHaveBeenCalledTimes(1);
  });
});
