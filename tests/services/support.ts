// The services over a real store with real trainer processes started from the TypeScript sources (the
// trainer entry under tests/store/support/register.mjs), so that what the engine reports at the end of a
// run is the code in this tree, not an earlier build in out/.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { TrainerProcess } from '../../core/engine/trainer-client.js';
import { RunQueue } from '../../core/runs/queue.js';
import { createServices, type Services } from '../../core/services/services.js';
import { Store } from '../../core/store/index.js';
import type { TrainerToParent } from '../../shared/index.js';
import { repoRoot } from '../support/build.js';
import { tempDir } from '../host/support.js';

export { tempDir, until } from '../host/support.js';

/** A trainer process running electron/trainer/index.ts from source. */
export function forkSourceTrainer(): TrainerProcess {
  const child = fork(join(repoRoot, 'electron/trainer/index.ts'), [], {
    execArgv: ['--import', join(repoRoot, 'tests/store/support/register.mjs')],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.on('error', () => {});
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return {
    pid: child.pid,
    send: (message) => {
      if (child.connected) child.send(message, (error) => void error);
    },
    onMessage: (listener) => child.on('message', (m) => listener(m as TrainerToParent)),
    onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal, stderr)),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export interface SourceServices {
  dir: string;
  store: Store;
  services: Services;
  queue: RunQueue;
  logs: string[];
  close(): Promise<void>;
}

/** Services over a fresh data folder; `start: false` leaves the queue stopped (runs stay queued). */
export function openSourceServices(options: { start?: boolean } = {}): SourceServices {
  const dir = tempDir('services');
  const store = Store.open(dir, { owner: 'test' });
  const logs: string[] = [];
  const queue = new RunQueue({ store, log: (m) => logs.push(m), shutdownTimeoutMs: 5_000, spawnTrainer: () => forkSourceTrainer() });
  const services = createServices({ store, queue, version: '0.0.0-test', log: (m) => logs.push(m) });
  if (options.start !== false) queue.start();
  return {
    dir,
    store,
    services,
    queue,
    logs,
    close: async () => {
      await queue.shutdown();
      store.close();
    },
  };
}
