// Where a run's trainer runs. The run queue decides which runs train and records everything they report;
// an executor only starts a trainer for a request, relays its messages to the listeners and passes on
// pause, resume and stop. Today trainers are local processes (`processExecutor`: child_process.fork, or
// Electron's utilityProcess); an executor that hands runs to other machines implements the same interface.
import type { TrainRequest } from '../../shared/index.js';
import { forkTrainer, TrainerHandle, type TrainerListeners, type TrainerOutcome, type TrainerProcess } from '../engine/trainer-client.js';

/** One trainer at work on one run, wherever it runs. */
export interface TrainerJob {
  /** Settles once with how the trainer ended; a trainer that dies is a failed outcome, never a rejection. */
  readonly done: Promise<TrainerOutcome>;
  /** Pause within one batch; the trainer confirms through the `paused` listener. */
  pause(): void;
  /** Continue (also cancels a pause the trainer has not reached yet); confirmed through `resumed`. */
  resume(): void;
  /** Stop after the current batch: the outcome is a `stopped` summary. */
  stop(): void;
  /** End it now, losing the batch in progress (a trainer that did not stop in time). */
  kill(): void;
  /** The outcome is recorded: free whatever is left of the trainer. */
  release(): void;
  /** The local trainer's process id (tests kill it); undefined where the trainer is not a local process. */
  readonly pid: number | undefined;
}

export interface RunExecutor {
  /** Starts training `request` for run `runId`; throws when no trainer can be started (the run then fails, naming why). */
  start(runId: number, request: TrainRequest, listeners: TrainerListeners): TrainerJob;
}

/** Starts one local trainer process; it gets the run's id so a host can give the trainer a direct line to the page. */
export type SpawnTrainer = (runId: number) => TrainerProcess;

export interface ProcessExecutorOptions {
  /** How long a trainer may take to exit by itself after its last message before it is killed (default 5 s). */
  exitGraceMs?: number;
}

/** Trainers as local processes, one per run: `forkTrainer()` (child_process.fork of out/main/trainer.js) by default. */
export function processExecutor(spawn: SpawnTrainer = () => forkTrainer(), options: ProcessExecutorOptions = {}): RunExecutor {
  const graceMs = options.exitGraceMs ?? 5_000;
  return {
    start(runId, request, listeners) {
      const proc = spawn(runId);
      let exited = false;
      proc.onExit(() => {
        exited = true;
      });
      const handle = new TrainerHandle(proc, request, listeners);
      return {
        done: handle.done,
        pid: proc.pid,
        pause: () => handle.pause(),
        resume: () => handle.resume(),
        stop: () => handle.stop(),
        kill: () => handle.kill(),
        release: () => {
          // A trainer exits on its own right after its last message; make sure of it.
          if (!exited) setTimeout(() => exited || proc.kill(), graceMs).unref();
        },
      };
    },
  };
}
