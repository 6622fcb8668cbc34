// Electron's utilityProcess as a TrainerProcess (core/engine/trainer-client.ts), so the run queue drives the
// trainer the same way in the app (utilityProcess.fork) and elsewhere (child_process.fork). No runtime
// electron import here: main passes `utilityProcess.fork` in, and tests pass a fake child.
import { constants } from 'node:os';
import type { ForkOptions } from 'electron';
import type { TrainerProcess } from '../../core/engine/trainer-client.js';
import { PROGRESS_PORT_CHANNEL, PROGRESS_PORT_MESSAGE, type ParentToTrainer, type TrainerToParent } from '../../shared/index.js';

/** The part of Electron's UtilityProcess the adapter uses. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  readonly stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown, transfer?: unknown[]): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

export type UtilityFork = (modulePath: string, args?: string[], options?: ForkOptions) => UtilityProcessLike;

/** Why Electron says a child process went away (`app` event `child-process-gone`, `details.reason`). */
export type GoneReason =
  | 'clean-exit'
  | 'abnormal-exit'
  | 'killed'
  | 'crashed'
  | 'oom'
  | 'launch-failed'
  | 'integrity-failure'
  | 'memory-eviction';

/**
 * A utilityProcess reports only an exit code; on POSIX, a process ended by a signal reports the signal's
 * number. With Electron's reason for the exit, name the signal so the run's failure says what happened.
 */
export function interpretUtilityExit(
  code: number,
  reason: GoneReason | undefined,
  platform: NodeJS.Platform = process.platform,
): { code: number | null; signal: string | null } {
  if (reason === 'oom') return { code: null, signal: 'SIGKILL' };
  if (platform !== 'win32' && (reason === 'killed' || reason === 'crashed')) {
    const name = Object.entries(constants.signals).find(([, n]) => n === code)?.[0];
    if (name) return { code: null, signal: name };
  }
  return { code, signal: null };
}

export interface AdaptOptions {
  /** Electron's reason for the exit, when main has seen it (`child-process-gone`). */
  goneReason?: () => GoneReason | undefined;
  platform?: NodeJS.Platform;
}

const STDERR_TAIL = 4000;

/** Adapts a forked utility process to the TrainerProcess interface. */
export function adaptUtilityProcess(child: UtilityProcessLike, options: AdaptOptions = {}): TrainerProcess {
  let stderr = '';
  let exited = false;
  child.stderr?.on('data', (chunk: Buffer | string) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
  });
  const exitListeners: ((code: number | null, signal: string | null, stderr: string) => void)[] = [];
  child.on('exit', (code) => {
    exited = true;
    // Electron emits `child-process-gone` on app around the same time: let it land first.
    setImmediate(() => {
      const { code: c, signal } = interpretUtilityExit(code, options.goneReason?.(), options.platform);
      for (const listener of exitListeners) listener(c, signal, stderr);
    });
  });
  return {
    get pid() {
      return child.pid;
    },
    send(message: ParentToTrainer) {
      // Structured clone: checkpoint bytes cross as Uint8Array.
      if (!exited) child.postMessage(message);
    },
    onMessage(listener: (message: TrainerToParent) => void) {
      child.on('message', (message) => listener(message as TrainerToParent));
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    kill() {
      if (!exited) child.kill();
    },
  };
}

let serial = 0;
export const TRAINER_SERVICE_PREFIX = 'Layerwise Trainer ';

/** Starts the built trainer entry as a utility process. `fork` is Electron's `utilityProcess.fork`. */
export function forkUtilityTrainer(
  fork: UtilityFork,
  entry: string,
  options: {
    env?: NodeJS.ProcessEnv;
    goneReasons?: Map<string, GoneReason>;
    serviceName?: string;
    /** Called with the new child before anything is sent to it (main opens the progress port here). */
    onSpawn?: (child: UtilityProcessLike) => void;
  } = {},
): TrainerProcess {
  serial += 1;
  // Unique, so main can tell which trainer Electron's `child-process-gone` is about.
  const serviceName = options.serviceName ?? `${TRAINER_SERVICE_PREFIX}${serial}`;
  const child = fork(entry, [], {
    serviceName,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...(options.env ?? process.env) } as ForkOptions['env'],
  });
  options.onSpawn?.(child);
  const goneReasons = options.goneReasons;
  return adaptUtilityProcess(child, goneReasons ? { goneReason: () => takeReason(goneReasons, serviceName) } : {});
}

function takeReason(reasons: Map<string, GoneReason>, name: string): GoneReason | undefined {
  const reason = reasons.get(name);
  reasons.delete(name);
  return reason;
}

/** What main needs from the window to hand it a port (webContents.postMessage). */
export interface PortPage<P> {
  postMessage(channel: string, message: unknown, transfer?: P[]): void;
}

/**
 * Opens a direct line for a run's batch progress: one end of a MessageChannelMain goes to the trainer
 * (which then posts progress there instead of to main), the other to the page with the run's id. Epochs,
 * checkpoints and the outcome still go through main, the only database writer. Without a page (no
 * window yet) nothing is opened and progress keeps flowing through main.
 */
export function openProgressPort<P>(
  runId: number,
  child: { postMessage(message: unknown, transfer?: P[]): void },
  page: PortPage<P> | undefined,
  makeChannel: () => { port1: P; port2: P },
): boolean {
  if (!page) return false;
  const { port1, port2 } = makeChannel();
  child.postMessage({ type: PROGRESS_PORT_MESSAGE }, [port1]);
  page.postMessage(PROGRESS_PORT_CHANNEL, { runId }, [port2]);
  return true;
}
