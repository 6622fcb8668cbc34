// Everything behind the API, opened on one data folder: the store (holding the folder's lock), the run
// queue with its trainer processes, and the services. The browser host (`layerwise serve`) and Electron
// main both start here, so the app and the served studio behave the same way.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkTrainer, type TrainerProcess } from '../engine/trainer-client.js';
import { createServices, type Services } from '../services/services.js';
import { Store } from '../store/index.js';
import { processExecutor, type RunExecutor } from '../runs/executor.js';
import { storeQueueOrder } from '../runs/queue-order.js';
import { RunQueue } from '../runs/queue.js';
import type { UploadKind } from '../../shared/api/entities.js';

export interface AppHostOptions {
  dataDir: string;
  /** Recorded in the lock file: `app`, `serve`. */
  owner?: string;
  lockWaitMs?: number;
  /** better-sqlite3's native binding (Electron passes the build made for its ABI). */
  nativeBinding?: string;
  /** Trainer processes: child_process.fork in their own process group by default; Electron passes a utilityProcess adapter. */
  spawnTrainer?: (runId: number) => TrainerProcess;
  /** Where trainers run, instead of local processes from `spawnTrainer`. */
  executor?: RunExecutor;
  concurrency?: number;
  /** How long a shutdown lets trainers stop on their own before killing them (default 15 s). */
  shutdownTimeoutMs?: number;
  version?: string;
  log?: (message: string) => void;
  /** The desktop app's file dialog for the user's data (`datasets.choosePath`); a browser host has none and takes uploads. */
  chooseDatasetPath?: (kind: UploadKind) => Promise<string | null>;
}

export interface AppHost {
  readonly store: Store;
  readonly queue: RunQueue;
  readonly services: Services;
  /** Stops every trainer after its current batch (their runs become `interrupted`), then closes the store. */
  close(): Promise<void>;
}

export function openAppHost(options: AppHostOptions): AppHost {
  const log = options.log ?? ((message: string) => process.stderr.write(`layerwise: ${message}\n`));
  const store = Store.open(options.dataDir, {
    owner: options.owner ?? 'app',
    ...(options.lockWaitMs !== undefined ? { lockWaitMs: options.lockWaitMs } : {}),
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  try {
    const queue = new RunQueue({
      store,
      order: storeQueueOrder(store),
      log,
      executor: options.executor ?? processExecutor(options.spawnTrainer ?? (() => forkTrainer({ ownProcessGroup: true }))),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs: options.shutdownTimeoutMs } : {}),
    });
    const services = createServices({
      store,
      queue,
      version: options.version ?? appVersion(),
      log,
      onInternalError: (method, error) => log(`${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
      ...(options.chooseDatasetPath ? { chooseDatasetPath: options.chooseDatasetPath } : {}),
    });
    queue.start();
    let closing: Promise<void> | undefined;
    return {
      store,
      queue,
      services,
      close: () =>
        (closing ??= (async () => {
          try {
            // Sweeps stop following first, as they are (running ones continue at the next start).
            services.sweeps.close();
            await queue.shutdown();
          } finally {
            store.close();
          }
        })()),
    };
  } catch (error) {
    store.close();
    throw error;
  }
}

/** The version in package.json, found by walking up from this file (sources or out/main). */
export function appVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'layerwise' && pkg.version) return pkg.version;
      } catch {
        // keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}
