// How many trials train at once when the spec does not say: one trainer per core, each with `threadsPerTrainer`
// threads (1 today; runs that train on several threads pass their `threads` setting), at least 1 and at most the
// queue's limit.
import { availableParallelism } from 'node:os';
import { MAX_CONCURRENCY } from '../../shared/api/contract.js';

export function defaultSweepConcurrency(threadsPerTrainer = 1, cores = availableParallelism()): number {
  const threads = Number.isSafeInteger(threadsPerTrainer) && threadsPerTrainer >= 1 ? threadsPerTrainer : 1;
  return Math.max(1, Math.min(MAX_CONCURRENCY, Math.floor(cores / threads)));
}
