// The runs domain (core/runs/): the one trainer request built from a stored run, the executor seam the queue
// starts trainers through, and a queue that outlives a trainer which cannot start.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forkTrainer, type TrainerProcess } from '../../core/engine/trainer-client.js';
import { processExecutor } from '../../core/runs/executor.js';
import { RunQueue } from '../../core/runs/queue.js';
import { createRunRecord } from '../../core/runs/recorder.js';
import { backendChoiceOf, trainRequestFor } from '../../core/runs/trainer-request.js';
import { Store } from '../../core/store/index.js';
import { parseTrainingConfig, type TrainerToParent, type TrainingConfig } from '../../shared/index.js';
import { tempDir, tinyConfig, tinyData, tinySpec, until } from '../host/support.js';
import { ensureBuilt } from '../support/build.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function openStore(): Store {
  const store = Store.open(tempDir('runs'), { owner: 'test' });
  stores.push(store);
  return store;
}

function config(epochs: number): TrainingConfig {
  const parsed = parseTrainingConfig(tinyConfig(epochs));
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  return parsed.value;
}

describe('the trainer request from a stored run', () => {
  it("is the run's model version, dataset, config and backend", () => {
    const store = openStore();
    const project = store.ensureProject('runs');
    const run = createRunRecord(store, { projectId: project.id, spec: tinySpec, dataset: tinyData, config: config(2), backend: 'wasm' });
    const request = trainRequestFor(store, run, null);
    expect(request).toEqual({ spec: store.getModelVersion(run.modelVersionId).spec, dataset: tinyData, config: run.config, backend: 'wasm' });
    expect(request.spec).toEqual(tinySpec);
    expect(request.config.epochs).toBe(2);
    expect('resumeFrom' in request).toBe(false);
  });

  it('asks for auto when the recorded backend is not one this build knows', () => {
    expect(backendChoiceOf('auto')).toBe('auto');
    expect(backendChoiceOf('cpu')).toBe('cpu');
    expect(backendChoiceOf('tpu')).toBe('auto');
  });

  it("continues from a checkpoint with plain copies of its bytes and its manifest", () => {
    const store = openStore();
    const project = store.ensureProject('runs');
    const run = createRunRecord(store, { projectId: project.id, spec: tinySpec, dataset: tinyData, config: config(3), backend: 'cpu', status: 'running' });
    const manifest = { format: 1, epoch: 1, kind: 'last' };
    store.saveCheckpoint(run.id, { epoch: 1, kind: 'last', weights: new Uint8Array([1, 2, 3]), optimizer: new Uint8Array([4, 5]), manifest });
    const checkpoint = store.latestCheckpoint(run.id)!;
    const { resumeFrom } = trainRequestFor(store, run, checkpoint);
    expect(resumeFrom?.manifest).toEqual(manifest);
    expect(Object.getPrototypeOf(resumeFrom!.weights)).toBe(Uint8Array.prototype);
    expect([...resumeFrom!.weights]).toEqual([1, 2, 3]);
    expect([...resumeFrom!.optimizer]).toEqual([4, 5]);
    expect(resumeFrom!.weights.buffer).not.toBe(checkpoint.weights.buffer);
  });
});

describe('local trainer processes', () => {
  it('kill a trainer that is still there a grace period after its outcome', async () => {
    // A real process that answers like a trainer, then stays alive.
    const script = join(tempDir('lingering'), 'trainer.mjs');
    const summary = { status: 'completed', epochs: 1, backend: 'cpu', device: 'test', samplesPerSecond: 1, final: null, confusion: null, classNames: [], bestEpoch: null, weights: 'last' };
    writeFileSync(script, `process.on('message', () => process.send(${JSON.stringify({ type: 'finished', summary })})); setInterval(() => {}, 1000);`);
    let exit: { code: number | null; signal: string | null } | null = null;
    const spawn = (): TrainerProcess => {
      const child = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
      child.on('exit', (code, signal) => (exit = { code, signal }));
      return {
        pid: child.pid,
        send: (m) => void child.send(m),
        onMessage: (listener) => child.on('message', (m) => listener(m as TrainerToParent)),
        onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal, '')),
        kill: () => void child.kill('SIGKILL'),
      };
    };
    const job = processExecutor(spawn, { exitGraceMs: 200 }).start(1, { spec: tinySpec, dataset: tinyData, config: config(1), backend: 'cpu' }, {});
    expect(job.pid).toBeGreaterThan(0);
    const outcome = await job.done;
    expect(outcome.ok && outcome.summary.status).toBe('completed');
    job.release();
    await until('the lingering trainer to be killed', () => exit !== null, 10_000);
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
  });
});

describe('the run queue', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('fails a run whose trainer cannot start, naming why, and trains the next one', async () => {
    const store = openStore();
    const project = store.ensureProject('runs');
    const [doomed, next] = [1, 2].map(() => createRunRecord(store, { projectId: project.id, spec: tinySpec, dataset: tinyData, config: config(1), backend: 'wasm' }));
    let spawned = 0;
    const logs: string[] = [];
    const queue = new RunQueue({
      store,
      log: (m) => logs.push(m),
      executor: processExecutor(() => {
        spawned += 1;
        if (spawned === 1) throw new Error('no trainer binary');
        return forkTrainer();
      }),
    });
    queue.start();
    await queue.idle();
    const failed = store.getRun(doomed!.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('the trainer process could not be started: no trainer binary');
    expect(logs.join('\n')).toContain(`run ${doomed!.id}: the trainer process could not be started`);
    expect(store.getRun(next!.id).status).toBe('completed');
    expect(store.metricCount(next!.id)).toBeGreaterThan(0);
    await queue.shutdown();
  });
});
