// The bench's child processes: bench/worker.ts runs (one measurement each, so peak RSS figures do not mix) and the
// /proc readings the overhead section takes of them.
import { fork, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { trainerExecArgv } from '../core/engine/kernels/simd/relaxed.js';
import type { WorkerJob, WorkerMessage } from './worker.js';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(HERE);
export const REGISTER = pathToFileURL(join(ROOT, 'tests/store/support/register.mjs')).href;
const WORKER = join(HERE, 'worker.ts');

/**
 * Runs bench/worker.ts in a child process with the TypeScript hooks and, as the studio's trainer process gets it,
 * the relaxed-SIMD flag where Node needs it; its stdout goes to our stderr.
 */
export function runWorker<T>(job: WorkerJob, onEvent?: (type: 'firstBatch' | 'epoch', pid: number | undefined) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [JSON.stringify(job)], { execArgv: trainerExecArgv(['--import', REGISTER]), stdio: ['ignore', 2, 2, 'ipc'] });
    let answered = false;
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'firstBatch' || m.type === 'epoch') onEvent?.(m.type, child.pid);
      else if (m.type === 'result') {
        answered = true;
        resolve(m.result as T);
      } else if (m.type === 'error') {
        answered = true;
        reject(new Error(m.message));
      }
    });
    child.on('exit', (code, signal) => {
      if (!answered) reject(new Error(`the bench worker (${job.mode}) ended with ${signal ?? `code ${code}`} before answering`));
    });
  });
}

const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(r.stdout) > 0 ? Number(r.stdout) : 100;
})();

/** CPU time (user + system, all threads) a process has used so far, ms; null where /proc is not there. */
export function cpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/** CPU ms per epoch between the first and the last epoch report, or null. */
export function cpuPerEpoch(samples: Array<number | null>): number | null {
  if (samples.length < 2 || samples.some((s) => s === null)) return null;
  return (samples.at(-1)! - samples[0]!) / (samples.length - 1);
}

/** The newest modification time of the .ts files under `dir`. */
export function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}
