// The data folder: --data, then LAYERWISE_DATA, then Electron's userData folder for "Layerwise".
import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolveDataDir } from '../../core/data-dir.js';

describe('data folder', () => {
  const env = { LAYERWISE_DATA: '/env/data', APPDATA: 'C:\\Users\\ada\\AppData\\Roaming', XDG_CONFIG_HOME: '/xdg' };

  it('takes --data first, then LAYERWISE_DATA, resolving relative paths against the working folder', () => {
    expect(resolveDataDir({ flag: 'runs', env, cwd: '/home/ada/work' })).toBe('/home/ada/work/runs');
    expect(resolveDataDir({ flag: '/abs', env, cwd: '/x' })).toBe('/abs');
    expect(resolveDataDir({ env, cwd: '/x' })).toBe('/env/data');
    expect(resolveDataDir({ flag: '', env: { LAYERWISE_DATA: 'rel' }, cwd: '/x' })).toBe('/x/rel');
  });

  it('defaults to the folder Electron gives app.getPath("userData") for an app named Layerwise', () => {
    expect(defaultDataDir({ platform: 'linux', env: {}, home: '/home/ada' })).toBe('/home/ada/.config/Layerwise');
    expect(defaultDataDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/xdg/' }, home: '/home/ada' })).toBe('/xdg/Layerwise');
    expect(defaultDataDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '' }, home: '/home/ada' })).toBe('/home/ada/.config/Layerwise');
    expect(defaultDataDir({ platform: 'darwin', env, home: '/Users/ada' })).toBe('/Users/ada/Library/Application Support/Layerwise');
    expect(defaultDataDir({ platform: 'win32', env, home: 'C:\\Users\\ada' })).toBe('C:\\Users\\ada\\AppData\\Roaming\\Layerwise');
    expect(defaultDataDir({ platform: 'win32', env: {}, home: 'C:\\Users\\ada' })).toBe('C:\\Users\\ada\\AppData\\Roaming\\Layerwise');
    expect(resolveDataDir({ env: {}, platform: 'darwin', home: '/Users/ada' })).toBe('/Users/ada/Library/Application Support/Layerwise');
  });
});
