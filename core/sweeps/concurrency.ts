// How a sweep shares the machine: trials at once × threads per trial ≤ physical cores, unless the user gave both.
// Threads per trial (config.threads on wasm) and trials at once both use cores; independent trials scale almost
// perfectly while one trial's threads add a reduction and a barrier per step, so with neither given a sweep runs one
// single-threaded trial per physical core. One given: the other fills the rest of the cores.
import { MAX_CONCURRENCY } from '../../shared/api/contract.js';
import type { BackendChoice } from '../../shared/index.js';
import { physicalCores } from '../engine/threads/cores.js';
import { threadedBackend } from '../engine/threads/settings.js';

/** Trials at once when the spec does not say: one trainer per `threadsPerTrainer` physical cores, at least 1, at most the queue's limit. */
export function defaultSweepConcurrency(threadsPerTrainer = 1, cores = physicalCores()): number {
  const threads = Number.isSafeInteger(threadsPerTrainer) && threadsPerTrainer >= 1 ? threadsPerTrainer : 1;
  return Math.max(1, Math.min(MAX_CONCURRENCY, Math.floor(cores / threads)));
}

export interface SweepParallelism {
  /** Trials training at once. */
  concurrency: number;
  /** Threads each trial trains on (1 on backends that train on one thread). */
  threads: number;
}

/**
 * Trials at once and threads per trial for a sweep: what the user gave (flag, then spec) wins; what is missing is
 * chosen so that trials × threads ≤ physical cores (threads stay 1 unless given). `threads` must already be checked (1…maxThreads).
 */
export function sweepParallelism(o: { concurrency?: number; threads?: number; backend: BackendChoice; cores?: number }): SweepParallelism {
  const cores = o.cores ?? physicalCores();
  if (!threadedBackend(o.backend)) return { concurrency: o.concurrency ?? defaultSweepConcurrency(1, cores), threads: 1 };
  if (o.threads !== undefined) return { concurrency: o.concurrency ?? defaultSweepConcurrency(o.threads, cores), threads: o.threads };
  // Trials at once given, threads not: one thread each, as for any run (more threads were slower than one on the
  // measured 2-core machine: core/engine/threads/settings.ts).
  if (o.concurrency !== undefined) return { concurrency: o.concurrency, threads: 1 };
  return { concurrency: defaultSweepConcurrency(1, cores), threads: 1 };
}
