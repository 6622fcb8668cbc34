// The utilityProcess adapter (electron/main/trainer-process.ts) drives the real built trainer entry through
// the TrainerProcess interface. No Electron here, so the child is a Node process that has the utility
// process's `process.parentPort` (support/parent-port.mjs) and is seen by the adapter the way Electron shows
// a UtilityProcess: postMessage/'message', an 'exit' code that is the signal number when signalled.
import { fork } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrainerHandle } from '../../core/engine/trainer-client.js';
import { adaptUtilityProcess, forkUtilityTrainer, interpretUtilityExit, type UtilityFork, type UtilityProcessLike } from '../../electron/main/trainer-process.js';
import { parseTrainingConfig, type TrainRequest } from '../../shared/index.js';
import { ensureBuilt, repoRoot } from '../support/build.js';

beforeAll(() => ensureBuilt());

const shim = fileURLToPath(new URL('./support/parent-port.mjs', import.meta.url));
const entry = `${repoRoot}out/main/trainer.js`;

/** utilityProcess.fork's shape, over child_process.fork. */
const utilityFork: UtilityFork = (modulePath, args = [], options = {}) => {
  const child = fork(modulePath, args, {
    execArgv: ['--import', shim],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: options.env as NodeJS.ProcessEnv,
  });
  const like: UtilityProcessLike = {
    get pid() {
      return child.pid;
    },
    stderr: child.stderr,
    postMessage: (message) => void (child.connected && child.send(message as never)),
    kill: () => child.kill('SIGTERM'),
    on(event: 'message' | 'exit', listener: (value: unknown) => void) {
      if (event === 'message') child.on('message', (message) => listener(message));
      // Chromium reports a signalled child's exit code as the signal number.
      else child.on('exit', (code, signal) => listener(code ?? (signal ? constants.signals[signal] : 0)));
      return like;
    },
  } as UtilityProcessLike;
  return like;
};

function request(epochs: number): TrainRequest {
  const config = parseTrainingConfig({ epochs, batchSize: 32, seed: 3, tricks: { adam: { learningRate: 0.01 } } });
  if (!config.ok) throw new Error('config');
  return {
    spec: {
      version: 1,
      name: 'utility',
      loss: 'categoricalCrossentropy',
      layers: [
        { type: 'input', shape: [2] },
        { type: 'dense', units: 8, activation: 'relu' },
        { type: 'dense', units: 3, activation: 'softmax' },
      ],
    },
    dataset: { kind: 'synthetic', name: 'spiral', samples: 300, classes: 3, noise: 0.05 },
    config: config.value,
    backend: 'cpu',
  };
}

describe('utilityProcess adapter', () => {
  it('trains through parentPort: epochs, checkpoint bytes and the summary arrive', async () => {
    const epochs: number[] = [];
    let checkpointBytes: unknown;
    const proc = forkUtilityTrainer(utilityFork, entry);
    expect(proc.pid).toBeGreaterThan(0);
    const handle = new TrainerHandle(proc, request(2), {
      epoch: (r) => epochs.push(r.epoch),
      checkpoint: (c) => (checkpointBytes ??= c.weights),
    });
    const outcome = await handle.done;
    expect(outcome.ok && outcome.summary.status).toBe('completed');
    expect(epochs).toEqual([0, 1]);
    expect(checkpointBytes).toBeInstanceOf(Uint8Array);
  });

  it('a killed trainer becomes a failed outcome naming the signal', async () => {
    const reasons = new Map<string, 'killed'>();
    const proc = forkUtilityTrainer(utilityFork, entry, { goneReasons: reasons, serviceName: 'Layerwise Trainer test' });
    const handle = new TrainerHandle(proc, request(200), {
      started: () => {
        // Electron reports why the process went (app 'child-process-gone'), keyed by the service name.
        reasons.set('Layerwise Trainer test', 'killed');
        process.kill(proc.pid!, 'SIGKILL');
      },
    });
    const outcome = await handle.done;
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error.code).toBe('trainer_died');
    expect(!outcome.ok && outcome.error.message).toContain('SIGKILL');
  });
});

describe('utility exit codes', () => {
  it('name the signal when Electron says the process was killed or crashed', () => {
    expect(interpretUtilityExit(9, 'killed', 'linux')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(interpretUtilityExit(11, 'crashed', 'darwin')).toEqual({ code: null, signal: 'SIGSEGV' });
    expect(interpretUtilityExit(3, 'oom', 'win32')).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('keep the exit code otherwise', () => {
    expect(interpretUtilityExit(0, 'clean-exit', 'linux')).toEqual({ code: 0, signal: null });
    expect(interpretUtilityExit(9, undefined, 'linux')).toEqual({ code: 9, signal: null });
    expect(interpretUtilityExit(9, 'abnormal-exit', 'linux')).toEqual({ code: 9, signal: null });
    expect(interpretUtilityExit(9, 'killed', 'win32')).toEqual({ code: 9, signal: null });
  });

  it('send after exit is dropped, and kill after exit does nothing', async () => {
    const calls: string[] = [];
    let exit: (code: number) => void = () => {};
    const child = {
      pid: 1,
      stderr: null,
      postMessage: () => calls.push('post'),
      kill: () => (calls.push('kill'), true),
      on(event: string, listener: (value: never) => void) {
        if (event === 'exit') exit = listener as (code: number) => void;
        return child;
      },
    } as unknown as UtilityProcessLike;
    const proc = adaptUtilityProcess(child);
    const exited = new Promise<[number | null, string | null]>((resolve) => proc.onExit((c, s) => resolve([c, s])));
    proc.send({ type: 'pause' });
    exit(3);
    proc.send({ type: 'resume' });
    proc.kill();
    expect(await exited).toEqual([3, null]);
    expect(calls).toEqual(['post']);
  });
});
