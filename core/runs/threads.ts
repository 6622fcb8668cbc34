// The thread count every new run records in its config (config.threads): the one asked for, else this machine's
// default for the run's backend (core/engine/threads/settings.ts: every physical core on wasm and auto, 1 elsewhere).
// Recorded, not left to the trainer, so a run says how it trained and resumes bit-identically on the same count.
import { BACKEND_NAMES, type BackendChoice, type TrainingConfig } from '../../shared/index.js';
import { maxThreads, parseThreads, resolveThreads } from '../engine/threads/settings.js';

function choiceOf(backend: string): BackendChoice {
  return backend === 'auto' || (BACKEND_NAMES as readonly string[]).includes(backend) ? (backend as BackendChoice) : 'auto';
}

/**
 * `config` with its thread count: `threads` when given (checked against this machine: `field` names it in the
 * error), else the config's own, else the default for `backend`.
 */
export function withThreadCount(config: TrainingConfig, backend: string, threads?: unknown, field = 'threads'): TrainingConfig {
  if (threads !== undefined && threads !== null) {
    return { ...config, threads: resolveThreads({ flag: threads, backend: choiceOf(backend), field }).threads };
  }
  if (config.threads !== undefined) {
    parseThreads(config.threads, 'config.threads');
    return config;
  }
  return { ...config, threads: resolveThreads({ backend: choiceOf(backend) }).threads };
}

/**
 * The count a stored run trains with here: its recorded one (absent: 1, as runs trained before threads existed),
 * capped at what this machine accepts (a run recorded on a larger machine).
 */
export function threadsForTraining(config: TrainingConfig): number {
  return Math.min(config.threads ?? 1, maxThreads());
}
