// Scale-out with the real parts: our own redis-server, three `layerwise worker` processes from the built CLI, and the
// studio's host in-process on a fresh data folder. Every run must end exactly as the same run trained locally (same
// seed and backend: the engine is deterministic), with no metric, checkpoint or run lost or doubled, also when a
// worker is SIGKILLed mid-epoch and when the studio itself closes or is killed while runs are out at the workers.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAppHost, type AppHost } from '../../core/host/app-host.js';
import { studioKeys } from '../../core/redis/index.js';
import type { Store } from '../../core/store/index.js';
import { createApiClient } from '../../shared/api/client.js';
import type { LayerwiseApi, RunStatus } from '../../shared/api/contract.js';
import type { SweepSpecInput } from '../../shared/index.js';
import { ensureBuilt, repoRoot } from '../support/build.js';
import { httpInvoke, openTestServices, spawnServe, tinyConfig, tinyData, tinySpec } from '../host/support.js';
import { freePort, listeningPorts, runCliProcess, startRedis, startWorkerProcess, tempDir, until, type RedisServer, type WorkerProcess } from './support.js';

beforeAll(() => ensureBuilt());

// ---- the runs: tiny models, each a few seconds of training at most ----

interface Plan {
  key: string;
  epochs: number;
  seed: number;
  /** ~1 s per epoch on wasm (3,200 training points): long enough to kill a worker inside an epoch. */
  slow?: boolean;
  /** The user's own CSV file (examples/points.csv), which workers get through Redis. */
  csv?: boolean;
}

const PLANS: Plan[] = [
  { key: 'killed', epochs: 5, seed: 3, slow: true },
  { key: 'b', epochs: 4, seed: 5 },
  { key: 'c', epochs: 3, seed: 7 },
  { key: 'csv', epochs: 4, seed: 9, csv: true },
  { key: 'restart', epochs: 6, seed: 11, slow: true },
];
const plan = (key: string) => PLANS.find((p) => p.key === key)!;

const lineSpec = { version: 1 as const, name: 'Which side', loss: 'categoricalCrossentropy' as const, layers: [{ type: 'input' as const, shape: [2] }, { type: 'dense' as const, units: 8, activation: 'relu' as const }, { type: 'dense' as const, units: 2, activation: 'softmax' as const }] };

async function startPlan(api: LayerwiseApi, projectId: number, p: Plan) {
  let dataset = p.slow ? { ...tinyData, samples: 4000 } : tinyData;
  let spec = tinySpec;
  if (p.csv) {
    const imported = await api.datasets.import({ projectId, kind: 'csv', path: `${repoRoot}examples/points.csv`, target: 'side', name: 'points' });
    dataset = imported.dataset.source as never;
    spec = lineSpec as never;
  }
  return api.runs.start({ projectId, spec, dataset, config: tinyConfig(p.epochs, { seed: p.seed }), backend: 'wasm', name: p.key });
}

/** What must be identical between a run trained locally and the same run trained by the workers. */
function recordOf(store: Store, runId: number) {
  const run = store.getRun(runId);
  const timing = new Set(['seconds', 'samplesPerSecond']);
  const { samplesPerSecond: _speed, ...final } = run.finalMetrics ?? {};
  return {
    status: run.status,
    final,
    // Every deterministic series, each point once: (name, epoch, step) → value.
    series: store.metricSeries(runId).filter((s) => !timing.has(s.name)),
    rows: store.metricCount(runId),
    checkpoints: store.listCheckpoints(runId).map((c) => ({ epoch: c.epoch, kind: c.kind, weights: c.weights.sha256, optimizer: c.optimizer.sha256 })),
    report: store.getRunReport(runId),
  };
}

const reference = new Map<string, ReturnType<typeof recordOf>>();

/** A sweep over four learning rates of the tiny model, two trials at once; with ASHA pruning at epochs 1 and 2. */
// Best first: ASHA judges each trial against the values recorded before it at a rung, so with the grid in this order
// the worst rates meet better ones already recorded and are pruned whatever the workers' timing (in the other order
// every newcomer was the best so far and nothing had to be pruned).
const LEARNING_RATES = [0.05, 0.01, 0.0003, 0.00001];
function lrSweep(pruning: boolean): SweepSpecInput {
  return {
    name: 'LR across workers',
    base: { spec: tinySpec, dataset: tinyData, config: tinyConfig(4) },
    method: 'grid',
    seed: 4,
    parameters: [{ path: 'tricks.adam.learningRate', values: LEARNING_RATES }],
    ...(pruning ? { pruning: { method: 'asha' as const, minEpochs: 1, eta: 2 } } : {}),
    concurrency: 2,
    backend: 'wasm',
  };
}
/** Each learning rate's trial trained locally in full (no pruning): what a trial at the workers must match. */
const sweepReference = new Map<number, ReturnType<typeof recordOf>>();

beforeAll(async () => {
  // The same runs trained locally (local trainer processes), two at a time.
  const local = openTestServices({ concurrency: 2 });
  try {
    const project = await local.services.api.projects.create({ name: 'Local reference' });
    const runs = [];
    for (const p of PLANS) runs.push({ p, run: await startPlan(local.services.api, project.id, p) });
    await local.services.queue.idle();
    for (const { p, run } of runs) reference.set(p.key, recordOf(local.store, run.id));
    const sweep = await local.services.api.sweeps.start({ projectId: project.id, sweep: lrSweep(false) });
    expect((await local.services.sweeps.settled(sweep.id)).status).toBe('completed');
    for (const trial of (await local.services.api.sweeps.get({ id: sweep.id })).trials) {
      sweepReference.set(trial.params['tricks.adam.learningRate'] as number, recordOf(local.store, trial.runId!));
    }
  } finally {
    local.services.sweeps.close();
    await local.close();
  }
  for (const [key, record] of reference) expect(record.status, key).toBe('completed');
});

function expectSameAsLocal(store: Store, runId: number, key: string): void {
  const got = recordOf(store, runId);
  const want = reference.get(key)!;
  expect(got.status, key).toBe('completed');
  expect(got.rows, `${key}: metric rows`).toBe(want.rows);
  expect(got.series, `${key}: metric series`).toEqual(want.series);
  expect(got.checkpoints, `${key}: checkpoints`).toEqual(want.checkpoints);
  expect(got.final, `${key}: final metrics`).toEqual(want.final);
  expect(got.report, `${key}: test report`).toEqual(want.report === null ? null : { ...want.report, runId });
}

async function openStudio(dir: string, url: string, logs: string[]): Promise<AppHost> {
  const app = openAppHost({ dataDir: dir, owner: 'test', redisUrl: url, log: (m) => logs.push(m), shutdownTimeoutMs: 5_000 });
  await app.ready;
  return app;
}

const statusOf = (app: AppHost, id: number) => app.store.getRun(id).status;
const waitFor = (app: AppHost, id: number, statuses: RunStatus[]) => until(`run ${id} to be ${statuses.join(' or ')}`, () => statuses.includes(statusOf(app, id)));

/** Resolves at the first progress of `runId` inside epoch `epoch` (or later), before its middle. */
function midEpoch(app: AppHost, runId: number, epoch: number): Promise<void> {
  return new Promise((resolve) => {
    const off = app.services.events.on('onRunProgress', ({ runId: id, progress }) => {
      if (id === runId && progress.epoch >= epoch && progress.batch < progress.batchesPerEpoch / 2) {
        off();
        resolve();
      }
    });
  });
}

/** Every descendant process id of `pid` (Linux). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    let children: number[];
    try {
      children = readdirSync(`/proc/${p}/task`).flatMap((t) => readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      return;
    }
    for (const c of children) {
      out.push(c);
      visit(c);
    }
  };
  visit(pid);
  return out;
}

describe('runs on workers through Redis', () => {
  let redis: RedisServer;
  let workers: WorkerProcess[];

  beforeAll(async () => {
    redis = await startRedis();
    workers = await Promise.all([0, 1, 2].map(() => startWorkerProcess(redis.url, ['--concurrency', '1'])));
  });

  afterAll(async () => {
    // A worker ends cleanly on SIGTERM.
    for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGTERM');
    for (const w of workers) await w.exited;
  });

  it('trains a batch of runs across three workers, one SIGKILLed mid-epoch, each exactly as locally', async () => {
    const dir = tempDir('studio');
    const logs: string[] = [];
    const app = await openStudio(dir, redis.url, logs);
    try {
      const api = app.services.api;
      const project = await api.projects.create({ name: 'Scale-out' });
      const ids = new Map<string, number>();
      const killedStarted = (async () => {
        const run = await startPlan(api, project.id, plan('killed'));
        ids.set('killed', run.id);
        return run.id;
      })();
      const killedId = await killedStarted;
      const inEpoch2 = midEpoch(app, killedId, 1);
      for (const key of ['b', 'c', 'csv']) ids.set(key, (await startPlan(api, project.id, plan(key))).id);

      await inEpoch2;
      const placement = app.scaleOut!.workerOf(killedId)!;
      const victim = workers.find((w) => w.pid === placement.pid)!;
      expect(victim, `the worker ${placement.worker} is one of ours`).toBeDefined();
      // Workers and their trainers only connect out.
      for (const w of workers) for (const pid of [w.pid, ...descendants(w.pid)]) expect(listeningPorts(pid), `process ${pid} listens`).toEqual([]);
      victim.proc.kill('SIGKILL');
      expect((await victim.exited).signal).toBe('SIGKILL');

      for (const id of ids.values()) await waitFor(app, id, ['completed', 'failed', 'stopped', 'diverged']);
      for (const [key, id] of ids) expectSameAsLocal(app.store, id, key);
      // Another worker continued it from a checkpoint (not from scratch).
      const takeover = new RegExp(`run ${killedId}: worker (\\S+) took it over \\(attempt 2\\) after epoch \\d+`).exec(logs.join('\n'));
      expect(takeover, logs.join('\n')).not.toBeNull();
      expect(takeover![1]).not.toBe(victim.name);
      expect(app.store.integrityCheck()).toEqual(['ok']);

      // Nothing of the finished jobs is left in Redis: no job keys, no record of jobs out, no unread reports.
      const client = redis.client();
      const keys = studioKeys(app.scaleOut!.studioId);
      await until('the jobs to be cleaned up', async () => (await client.hlen(keys.jobs)) === 0);
      // (Control states linger an hour for a worker that might still read them; nothing else of a job does.)
      expect((await client.keys('layerwise:job:*')).filter((k) => !k.endsWith(':control'))).toEqual([]);
      expect(await client.keys(`layerwise:studio:*:dataset:*`)).toEqual([]);
      expect(await client.xlen(keys.events)).toBe(0);
    } finally {
      await app.close();
    }
  });

  it("trains a sweep's trials at the workers, ASHA pruning them there, each trial exactly as locally", async () => {
    const dir = tempDir('studio');
    const logs: string[] = [];
    const app = await openStudio(dir, redis.url, logs);
    try {
      const api = app.services.api;
      const project = await api.projects.create({ name: 'Sweep' });
      const started = await api.sweeps.start({ projectId: project.id, sweep: lrSweep(true) });
      const done = await app.services.sweeps.settled(started.id);
      expect(done.status).toBe('completed');
      const { trials } = await api.sweeps.get({ id: started.id });
      expect(trials.map((t) => t.params['tricks.adam.learningRate']).sort()).toEqual([...LEARNING_RATES].sort());
      expect(trials.filter((t) => t.state === 'pruned').length).toBeGreaterThanOrEqual(1);
      const studio = app.scaleOut!.studioId;
      for (const trial of trials) {
        const lr = trial.params['tricks.adam.learningRate'] as number;
        const runId = trial.runId!;
        // Trained by one of the workers, not here.
        expect(workers.some((w) => w.stderr().includes(`took job ${studio}.${runId}.`)), `trial ${trial.number} at a worker`).toBe(true);
        const got = recordOf(app.store, runId);
        const want = sweepReference.get(lr)!;
        if (trial.state === 'completed') {
          expect(got.series, `lr ${lr}`).toEqual(want.series);
          expect(got.rows, `lr ${lr}: metric rows`).toBe(want.rows);
          expect(got.final, `lr ${lr}: final metrics`).toEqual(want.final);
          continue;
        }
        // A pruned trial stopped at its worker after its rung: every epoch it recorded is the local trial's, once.
        expect(trial.state, `lr ${lr}`).toBe('pruned');
        expect(got.status).toBe('stopped');
        const last = Math.max(...got.series.flatMap((x) => x.epochs));
        expect(last, `lr ${lr}: epochs recorded`).toBeLessThan(3);
        const upTo = (series: typeof got.series) =>
          series.map((x) => {
            const keep = x.epochs.map((e) => e <= last);
            return { ...x, epochs: x.epochs.filter((_, i) => keep[i]), steps: x.steps.filter((_, i) => keep[i]), values: x.values.filter((_, i) => keep[i]) };
          });
        expect(got.series, `lr ${lr}`).toEqual(upTo(want.series).filter((x) => x.epochs.length));
      }
      expect(app.store.integrityCheck()).toEqual(['ok']);
    } finally {
      await app.close();
    }
  });

  it('`layerwise sweep --redis` trains its trials at the workers too; an unreachable Redis ends it with exit 1', async () => {
    const dir = tempDir('cli-sweep');
    const spec = join(dir, 'sweep.json');
    writeFileSync(spec, JSON.stringify({ ...lrSweep(false), parameters: [{ path: 'tricks.adam.learningRate', values: LEARNING_RATES.slice(2) }] }));
    const data = join(dir, 'data');
    const swept = await runCliProcess(['sweep', spec, '--redis', redis.url, '--data', data, '--json']);
    expect(swept.code, swept.stderr).toBe(0);
    expect(swept.stderr).toContain(`runs train on workers through Redis at ${redis.url}`);
    const trials = swept.stdout.trim().split('\n').slice(0, -1).map((l) => JSON.parse(l) as { runId: number; state: string; params: Record<string, number> });
    expect(trials.map((t) => t.state)).toEqual(['completed', 'completed']);
    const studio = (await import('../../core/settings.js')).studioIdOf(data);
    for (const t of trials) expect(workers.some((w) => w.stderr().includes(`took job ${studio}.${t.runId}.`)), `run ${t.runId} at a worker`).toBe(true);

    const nowhere = await runCliProcess(['sweep', spec, '--redis', `redis://127.0.0.1:${await freePort()}`, '--data', data]);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(/layerwise sweep: .*127\.0\.0\.1/);
  });

  it('passes pause, resume and stop to the worker; a run stopped before a worker took it never trains', async () => {
    const dir = tempDir('studio');
    const logs: string[] = [];
    const app = await openStudio(dir, redis.url, logs);
    try {
      const api = app.services.api;
      const project = await api.projects.create({ name: 'Control' });
      const long = { ...plan('killed'), epochs: 200 };
      const live = workers.filter((w) => w.proc.exitCode === null && w.proc.signalCode === null).length;
      // One run per live worker trains; one more waits in the queue.
      const training = [];
      for (let i = 0; i < live; i++) training.push(await startPlan(api, project.id, long));
      const waiting = await startPlan(api, project.id, long);
      for (const run of training) await waitFor(app, run.id, ['running']);

      const paused = await api.runs.pause({ id: training[0]!.id });
      expect(paused.status).toBe('paused');
      const resumed = await api.runs.resume({ id: training[0]!.id });
      expect(resumed.status).toBe('running');

      const stoppedWaiting = await api.runs.stop({ id: waiting.id });
      expect(stoppedWaiting.status).toBe('stopped');
      expect(stoppedWaiting.startedAt).toBeNull();
      expect(app.store.metricCount(waiting.id)).toBe(0);

      for (const run of training) {
        await midEpoch(app, run.id, 1);
        const stopped = await api.runs.stop({ id: run.id });
        expect(stopped.status).toBe('stopped');
        expect(stopped.finalMetrics?.epochs).toBeGreaterThanOrEqual(1);
        expect(stopped.finalMetrics?.epochs).toBeLessThan(200);
      }
      expect(logs.join('\n')).not.toMatch(/could not record/);
    } finally {
      await app.close();
    }
  });

  it('a studio that closes leaves its runs training at the workers and takes them back when it starts again', async () => {
    const dir = tempDir('studio');
    const logs: string[] = [];
    let app = await openStudio(dir, redis.url, logs);
    const project = await app.services.api.projects.create({ name: 'Restart' });
    const run = await startPlan(app.services.api, project.id, plan('restart'));
    await midEpoch(app, run.id, 1);
    await app.close();
    const store = (await import('../../core/store/index.js')).Store;
    const closed = store.open(dir, { owner: 'test' });
    expect(closed.getRun(run.id).status).toBe('interrupted');
    closed.close();

    // Meanwhile the worker keeps training and reporting.
    const client = redis.client();
    const events = studioKeys((await import('../../core/settings.js')).studioIdOf(dir)).events;
    const before = await client.xlen(events);
    await until('the worker to report more epochs', async () => (await client.xlen(events)) >= before + 2, 100);

    app = await openStudio(dir, redis.url, logs);
    try {
      await waitFor(app, run.id, ['completed', 'failed', 'stopped']);
      expectSameAsLocal(app.store, run.id, 'restart');
      expect(logs.join('\n')).toContain(`run ${run.id} went on at the workers while the studio was closed`);
    } finally {
      await app.close();
    }
  });

  it('a worker stopped with Ctrl-C (SIGINT) hands its run back at once, and another worker continues it', async () => {
    const dir = tempDir('studio');
    const logs: string[] = [];
    const app = await openStudio(dir, redis.url, logs);
    try {
      const api = app.services.api;
      const project = await api.projects.create({ name: 'Hand-back' });
      const run = await startPlan(api, project.id, plan('restart'));
      await midEpoch(app, run.id, 1);
      const leaving = workers.find((w) => w.pid === app.scaleOut!.workerOf(run.id)!.pid)!;
      leaving.proc.kill('SIGINT');
      expect((await leaving.exited).code).toBe(0);
      expect(leaving.stderr()).toContain('handing 1 run back to the queue');
      await waitFor(app, run.id, ['completed', 'failed', 'stopped']);
      expectSameAsLocal(app.store, run.id, 'restart');
      const takeover = new RegExp(`run ${run.id}: worker (\\S+) took it over \\(attempt 2\\) after epoch \\d+`).exec(logs.join('\n'));
      expect(takeover, logs.join('\n')).not.toBeNull();
      expect(takeover![1]).not.toBe(leaving.name);
    } finally {
      await app.close();
    }
  });

  it('a studio killed mid-run (layerwise serve, SIGKILL) catches up on what its workers reported when it starts again', async () => {
    const dir = tempDir('studio');
    let serve = await spawnServe(dir, ['--redis', redis.url]);
    let api = createApiClient(httpInvoke(serve.origin, serve.token));
    const project = await api.projects.create({ name: 'Crash' });
    const run = await startPlan(api, project.id, plan('restart'));
    await until('the run to be in its second epoch', async () => ((await api.metrics.series({ runId: run.id, names: ['loss'] }))[0]?.epochs.length ?? 0) >= 1, 100);
    serve.child.kill('SIGKILL');
    await serve.exited;

    serve = await spawnServe(dir, ['--redis', redis.url]);
    api = createApiClient(httpInvoke(serve.origin, serve.token));
    try {
      await until(`run ${run.id} to finish`, async () => ['completed', 'failed', 'stopped'].includes((await api.runs.get({ id: run.id })).status), 100);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
    const { Store } = await import('../../core/store/index.js');
    const store = Store.open(dir, { owner: 'test' });
    try {
      expectSameAsLocal(store, run.id, 'restart');
    } finally {
      store.close();
    }
    expect(serve.stderr()).toMatch(/went on at the workers while the studio was closed|picked up its job/);
  });
});
