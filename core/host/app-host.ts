// Everything behind the API, opened on one data folder: the store (holding the folder's lock), the run
// queue with its trainer processes, and the services. The browser host (`layerwise serve`) and Electron
// main both start here, so the app and the served studio behave the same way.
//
// Two modes. Embedded (the default): trainers are local processes. Scale-out, when the data folder's settings (or
// `serve --redis`) give a Redis URL: the queue hands runs to `layerwise worker` processes on any machine through
// BullMQ; the store here stays the only database and records what they report.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkTrainer, type TrainerProcess } from '../engine/trainer-client.js';
import { createServices, type Services } from '../services/services.js';
import { Store } from '../store/index.js';
import { processExecutor, type RunExecutor } from '../runs/executor.js';
import { BullmqExecutor } from '../runs/executors/bullmq.js';
import { parseRedisUrl } from '../redis/index.js';
import { readSettings, studioIdOf } from '../settings.js';
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
  /**
   * Scale-out: hand runs to workers through the Redis at this URL. Undefined: as the data folder's settings say
   * (`layerwise settings --redis`); null: embedded whatever the settings say.
   */
  redisUrl?: string | null;
  /** How many runs train at once (default 1 embedded; with Redis, how many are out at the workers: default 16). */
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
  /** With Redis: where runs go (the URL redacted) and this studio's id; null when embedded. */
  readonly scaleOut: { redis: string; studioId: string; workerOf(runId: number): { worker: string; pid: number; attempt: number } | null } | null;
  /**
   * Settles once trainers can start: at once when embedded; with Redis once it answered and the runs left out at
   * the workers by the last session were taken back (rejects naming why Redis cannot be used; it keeps retrying).
   */
  readonly ready: Promise<void>;
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
  let remote: BullmqExecutor | undefined;
  try {
    const url = options.executor ? null : options.redisUrl === undefined ? (readSettings(store.report.dataDir).redisUrl ?? null) : options.redisUrl;
    const target = url ? parseRedisUrl(url) : null;
    if (target) remote = new BullmqExecutor({ store, target, studioId: studioIdOf(store.report.dataDir), log: (m) => log(`scale-out: ${m}`) });
    const queue = new RunQueue({
      store,
      order: storeQueueOrder(store),
      log,
      executor: options.executor ?? remote ?? processExecutor(options.spawnTrainer ?? (() => forkTrainer({ ownProcessGroup: true }))),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : remote ? { concurrency: REMOTE_CONCURRENCY } : {}),
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
    let ready = Promise.resolve();
    if (remote) {
      const executor = remote;
      // Runs the last session left at the workers continue through the queue and attach to their jobs.
      const reconciled = executor.reconcile().then((runIds) => {
        for (const id of runIds) {
          // A sweep resuming at the start may have queued its trial already: it attaches to its job the same way.
          if (queue.isPending(id) || queue.isActive(id)) continue;
          try {
            queue.resumeFromCheckpoint(id);
          } catch (error) {
            log(`scale-out: run ${id} was not taken back: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      });
      // Without Redis at the start, `reconciled` fails when the studio closes; `ready` has said why already.
      reconciled.catch(() => undefined);
      ready = executor.ready.then(() => reconciled);
      ready.catch((error: unknown) => log(`scale-out: ${error instanceof Error ? error.message : String(error)}`));
    }
    let closing: Promise<void> | undefined;
    return {
      store,
      queue,
      services,
      scaleOut: remote && target ? { redis: target.display, studioId: remote.studioId, workerOf: (runId) => remote!.workerOf(runId) } : null,
      ready,
      close: () =>
        (closing ??= (async () => {
          try {
            // Sweeps stop following first, as they are (running ones continue at the next start).
            services.sweeps.close();
            // Runs at the workers go on; the next start takes them back.
            remote?.detachAll();
            await queue.shutdown();
            await remote?.close();
          } finally {
            store.close();
          }
        })()),
    };
  } catch (error) {
    void remote?.close();
    store.close();
    throw error;
  }
}

/** With Redis, how many runs the queue has out at the workers at once unless told otherwise (its maximum). */
export const REMOTE_CONCURRENCY = 16;

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
