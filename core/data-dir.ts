// Where the store lives: `--data DIR`, else LAYERWISE_DATA, else the per-user app data folder that
// Electron's `app.getPath('userData')` gives an app named "Layerwise":
//   Linux   $XDG_CONFIG_HOME/Layerwise, or ~/.config/Layerwise
//   macOS   ~/Library/Application Support/Layerwise
//   Windows %APPDATA%\Layerwise
// The app sets its userData to this same folder, so the CLI and the app share one store.
import { homedir } from 'node:os';
import { posix, resolve, win32 } from 'node:path';

export const APP_NAME = 'Layerwise';

export interface DataDirSources {
  /** The `--data` flag, if given. */
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  cwd?: string;
}

export function resolveDataDir(sources: DataDirSources = {}): string {
  const env = sources.env ?? process.env;
  const cwd = sources.cwd ?? process.cwd();
  if (sources.flag !== undefined && sources.flag !== '') return resolve(cwd, sources.flag);
  if (env.LAYERWISE_DATA) return resolve(cwd, env.LAYERWISE_DATA);
  return defaultDataDir(sources);
}

/** Electron's userData folder for "Layerwise" (its appData folder plus the app name). */
export function defaultDataDir(sources: Omit<DataDirSources, 'flag' | 'cwd'> = {}): string {
  const env = sources.env ?? process.env;
  const platform = sources.platform ?? process.platform;
  const home = sources.home ?? homedir();
  if (platform === 'win32') {
    return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), APP_NAME);
  }
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', APP_NAME);
  // Linux and the BSDs: XDG_CONFIG_HOME when set and not empty, as Chromium (and so Electron) reads it.
  return posix.join(env.XDG_CONFIG_HOME || posix.join(home, '.config'), APP_NAME);
}
