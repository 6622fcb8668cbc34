// Where main finds what it needs: the data folder, the better-sqlite3 build for Electron's ABI, the built
// preload, trainer and renderer. Pure functions of their inputs, so tests check them without Electron.
import { join } from 'node:path';
import { resolveDataDir } from '../../core/data-dir.js';

/**
 * The Electron build of better-sqlite3 that `npm start` prepares in development (scripts/start.js
 * ELECTRON_SQLITE_BINDING): kept apart from node_modules/better-sqlite3, whose Node build the CLI and the
 * tests load. Packaged apps need none: electron-builder rebuilt the packaged copy for Electron.
 */
export const DEV_SQLITE_BINDING = 'node_modules/.cache/layerwise-electron/better_sqlite3.node';

export function sqliteBinding(options: {
  isPackaged: boolean;
  appPath: string;
  env: NodeJS.ProcessEnv;
  exists: (path: string) => boolean;
}): string | undefined {
  if (options.isPackaged) return undefined;
  if (options.env.LAYERWISE_SQLITE_BINDING) return options.env.LAYERWISE_SQLITE_BINDING;
  const dev = join(options.appPath, DEV_SQLITE_BINDING);
  return options.exists(dev) ? dev : undefined;
}

/**
 * The data folder, which main makes Electron's userData folder: `LAYERWISE_DATA`, else the same per-user
 * folder the CLI uses (`core/data-dir.ts`), since package.json's lowercase name would give Electron another.
 */
export function appDataDir(env: NodeJS.ProcessEnv, cwd: string): string {
  return resolveDataDir({ env, cwd });
}

/** The built files next to the main bundle (out/main/index.js). */
export function builtFiles(mainDir: string): { preload: string; trainer: string; renderer: string } {
  return {
    preload: join(mainDir, '..', 'preload', 'index.cjs'),
    trainer: join(mainDir, 'trainer.js'),
    renderer: join(mainDir, '..', 'renderer'),
  };
}
