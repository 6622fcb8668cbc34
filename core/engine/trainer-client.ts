// The parent's side of the trainer protocol: start a trainer process, steer it, and get its outcome.
// A trainer that dies (signal, exit code, out of memory) becomes a `failed` outcome; the parent lives on.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainerExecArgv } from './kernels/simd/relaxed.js';
import type {
  BatchProgress,
  CheckpointPayload,
  EpochReport,
  LayerStat,
  ParentToTrainer,
  TrainerToParent,
  TrainRequest,
  TrainSummary,
  WireError,
} from '../../shared/index.js';

/** What a trainer process looks like to its parent; Electron's utilityProcess is adapted to the same shape. */
export interface TrainerProcess {
  send(message: ParentToTrainer): void;
  onMessage(listener: (message: TrainerToParent) => void): void;
  /** `stderr` is the tail of what the process printed, to explain a crash. */
  onExit(listener: (code: number | null, signal: string | null, stderr: string) => void): void;
  kill(): void;
  readonly pid: number | undefined;
}

export type TrainerOutcome = { ok: true; summary: TrainSummary } | { ok: false; error: WireError };

export interface TrainerListeners {
  started?(info: { backend: string; device: string; fallbackReason?: string }): void;
  progress?(progress: BatchProgress): void;
  /** Per-layer statistics before the first step (a run from scratch only). */
  init?(layers: LayerStat[]): void;
  epoch?(report: EpochReport): void;
  checkpoint?(checkpoint: CheckpointPayload): void;
  paused?(): void;
  resumed?(): void;
}

/** The built trainer entry (out/main/trainer.js), found from the built CLI or from the sources. */
export function trainerEntry(): string {
  if (process.env.LAYERWISE_TRAINER_ENTRY) return process.env.LAYERWISE_TRAINER_ENTRY;
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'trainer.js');
  if (existsSync(sibling)) return sibling;
  let dir = here;
  for (;;) {
    const candidate = join(dir, 'out', 'main', 'trainer.js');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('the trainer is not built: run `npm run build`');
    dir = parent;
  }
}

export interface ForkOptions {
  entry?: string;
  /**
   * Start the trainer in a process group of its own (POSIX). A terminal's Ctrl-C signals the whole
   * foreground group; a long-lived host wants its trainers to stop after their batch on its word instead.
   * The trainer still ends with its parent: it exits when the IPC channel closes.
   */
  ownProcessGroup?: boolean;
}

export function forkTrainer(options: ForkOptions = {}): TrainerProcess {
  // 'advanced' serialization is structured clone: checkpoint bytes cross as Uint8Array, not JSON.
  const child = fork(options.entry ?? trainerEntry(), [], {
    // Node 20 runs the engine's FMA matrix product (relaxed SIMD) only with a flag (kernels/simd/relaxed.ts).
    execArgv: trainerExecArgv(),
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    detached: Boolean(options.ownProcessGroup) && process.platform !== 'win32',
  });
  let stderr = '';
  child.on('error', () => {
    // Spawn and channel errors surface as the exit event; without a listener Node would throw them.
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return {
    pid: child.pid,
    send: (message) => {
      // A trainer that has just finished or died may close the channel before a late stop or pause
      // arrives; its exit is reported through onExit, so the failed write is not an error of its own.
      if (child.connected) child.send(message, (error) => void error);
    },
    onMessage: (listener) => child.on('message', (m) => listener(m as TrainerToParent)),
    onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal, stderr)),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export class TrainerHandle {
  readonly done: Promise<TrainerOutcome>;
  private settled = false;

  constructor(
    private readonly proc: TrainerProcess,
    request: TrainRequest,
    listeners: TrainerListeners = {},
  ) {
    this.done = new Promise<TrainerOutcome>((resolve) => {
      const settle = (outcome: TrainerOutcome) => {
        if (this.settled) return;
        this.settled = true;
        resolve(outcome);
      };
      proc.onMessage((message) => {
        switch (message.type) {
          case 'started':
            return listeners.started?.(message);
          case 'progress':
            return listeners.progress?.(message.progress);
          case 'init':
            return listeners.init?.(message.layers);
          case 'epoch':
            return listeners.epoch?.(message.report);
          case 'checkpoint':
            return listeners.checkpoint?.(message.checkpoint);
          case 'paused':
            return listeners.paused?.();
          case 'resumed':
            return listeners.resumed?.();
          case 'finished':
            return settle({ ok: true, summary: message.summary });
          case 'failed':
            return settle({ ok: false, error: message.error });
        }
      });
      proc.onExit((code, signal, stderr) => {
        settle({
          ok: false,
          error: {
            code: 'trainer_died',
            message: signal
              ? `the trainer process was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory, or ended by the system)' : ''}`
              : `the trainer process exited with code ${code} before finishing`,
            details: { code, signal, stderr: stderr.trim().split('\n').slice(-5).join('\n') },
          },
        });
      });
    });
    proc.send({ type: 'start', request });
  }

  pause(): void {
    this.proc.send({ type: 'pause' });
  }

  resume(): void {
    this.proc.send({ type: 'resume' });
  }

  stop(): void {
    this.proc.send({ type: 'stop' });
  }

  kill(): void {
    this.proc.kill();
  }
}

export function startTraining(request: TrainRequest, listeners?: TrainerListeners, proc = forkTrainer()): TrainerHandle {
  return new TrainerHandle(proc, request, listeners);
}
