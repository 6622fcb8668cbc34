// The `threads` setting: one resolver for every place a run is started (the CLI's --threads on train, resume,
// lesson and sweep; the Redis worker's --threads; the studio's per-user default), and the rule the engine applies.
// A run records the count it asked for in its config (`config.threads`); a config without one trained on one thread.
import { LIMITS, type BackendChoice, type BackendName, type TrainingConfig } from '../../../shared/index.js';
import { physicalCores } from './cores.js';

/** A threads value that cannot be used here: the message names the field, the value and what is allowed. */
export class ThreadsError extends Error {
  readonly code = 'invalid_threads';
  constructor(message: string) {
    super(message);
    this.name = 'ThreadsError';
  }
}

/** The largest thread count this machine accepts: twice its physical cores (SMT siblings at most), within the schema's cap. */
export function maxThreads(cores = physicalCores()): number {
  return Math.min(LIMITS.threads.max, Math.max(1, cores * 2));
}

/** Backends whose training can be split across threads (one tfjs-wasm instance per thread). */
export function threadedBackend(backend: BackendChoice): boolean {
  return backend === 'wasm' || backend === 'auto';
}

/** Checks one threads value (a flag's text, a number from a setting or a config); `field` names it in errors. */
export function parseThreads(value: unknown, field: string, cores = physicalCores()): number {
  const max = maxThreads(cores);
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
    const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
    throw new ThreadsError(`${field} must be an integer from 1 to ${max} (up to twice this machine's ${cores} physical core${cores === 1 ? '' : 's'}); got ${shown}`);
  }
  return n;
}

export interface ThreadsChoice {
  threads: number;
  /** Where the count came from: the flag, the run's own config (resume), the user's default, or the machine's cores. */
  source: 'flag' | 'config' | 'setting' | 'default';
}

/**
 * The thread count a new (or resumed) run trains with, in order: an explicit flag, the run's stored config, the
 * user's default setting, else one thread (see below) — on backends that split training across threads (wasm, and auto,
 * which picks wasm on a machine without a GPU); 1 on the others. An explicit count above 1 for such a backend is an
 * error naming it.
 */
export function resolveThreads(opts: {
  flag?: unknown;
  config?: number;
  setting?: number | null;
  backend?: BackendChoice;
  cores?: number;
  field?: string;
}): ThreadsChoice {
  const cores = opts.cores ?? physicalCores();
  const backend = opts.backend ?? 'auto';
  const field = opts.field ?? '--threads';
  if (opts.flag !== undefined && opts.flag !== null) {
    const threads = parseThreads(opts.flag, field, cores);
    if (threads > 1 && !threadedBackend(backend)) {
      throw new ThreadsError(`${field} ${threads} needs the wasm backend: ${backend} trains on one thread (use --threads 1, or --backend wasm)`);
    }
    return { threads, source: 'flag' };
  }
  if (opts.config !== undefined) return { threads: opts.config, source: 'config' };
  if (!threadedBackend(backend)) return { threads: 1, source: 'default' };
  if (opts.setting !== undefined && opts.setting !== null) return { threads: Math.min(opts.setting, maxThreads(cores)), source: 'setting' };
  // One thread unless the user asks for more: measured on a quiet 2-core VM (npm run bench, 2026-12-06), 2 threads
  // trained the CNN at 0.38× and the MLP at 0.53× of 1 thread (each step's synchronisation costs more than half the
  // batch saves there), so training on every core by default would make most runs slower.
  return { threads: 1, source: 'default' };
}

/** The threads a run trains on now: its config's count on wasm, one thread on every other backend. */
export function trainingThreads(config: Pick<TrainingConfig, 'threads'>, backend: BackendName): number {
  return backend === 'wasm' ? Math.max(1, config.threads ?? 1) : 1;
}

/** The device line with the threads a run trains on ("…, 1 thread)" → "…, 2 threads)"): what the run card shows. */
export function deviceOnThreads(device: string, threads: number): string {
  const count = `${threads} thread${threads === 1 ? '' : 's'}`;
  if (/, \d+ threads?\)$/.test(device)) return device.replace(/, \d+ threads?\)$/, `, ${count})`);
  return threads <= 1 ? device : `${device} (${count})`;
}
