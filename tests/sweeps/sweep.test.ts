// A real sweep end to end through the services: a real SQLite file, real trainer processes (the tiny spiral MLP, a
// few ms per epoch), the run queue with two trainers at once. Trials are ordinary runs of the project; ASHA prunes
// at its rungs and a pruned run is `stopped` with the sweep's `pruned` beside it wherever runs are listed.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ashaPromotes, lossOf, type SweepEvent, type SweepSpecInput } from '../../shared/index.js';
import { ApiError, type LayerwiseApi } from '../../shared/api/contract.js';
import { sweepParallelism } from '../../core/sweeps/concurrency.js';
import { ensureBuilt } from '../support/build.js';
import { openTestServices, tinyConfig, tinyData, tinySpec, until, type TestServices } from '../host/support.js';

beforeAll(() => ensureBuilt());

const open: TestServices[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

function services(concurrency = 2): TestServices {
  const t = openTestServices({ concurrency });
  open.push(t);
  return t;
}

/** Four learning rates, 6 epochs each, pruned by ASHA at epochs 1, 2 and 4 (η = 2). */
function lrSweep(extra: Partial<SweepSpecInput> = {}): SweepSpecInput {
  return {
    name: 'LR sweep',
    base: { spec: tinySpec, dataset: tinyData, config: tinyConfig(6) },
    method: 'grid',
    seed: 4,
    parameters: [{ path: 'tricks.adam.learningRate', values: [0.00001, 0.0003, 0.01, 0.05] }],
    pruning: { method: 'asha', minEpochs: 1, eta: 2 },
    concurrency: 2,
    backend: 'wasm',
    ...extra,
  };
}

async function project(api: LayerwiseApi) {
  return api.projects.create({ name: 'Sweeps' });
}

describe('a sweep through the services', () => {
  it('trains every grid point as a run, prunes at the rungs and finds the best', async () => {
    const t = services();
    const { api } = t.services;
    const events: SweepEvent[] = [];
    t.services.events.on('onSweepChanged', (e) => events.push(e));
    const p = await project(api);
    const started = await api.sweeps.start({ projectId: p.id, sweep: lrSweep() });
    expect(started).toMatchObject({ status: 'running', maxRuns: 4, rungs: [1, 2, 4], concurrency: 2, name: 'LR sweep' });
    expect(started.spec.base.config.epochs).toBe(6);
    expect(started.spec.threads).toBe(1);

    const done = await t.services.sweeps.settled(started.id);
    expect(done.status).toBe('completed');
    expect(done.stopReason).toBe('grid done: 4 points');
    const { trials } = await api.sweeps.get({ id: started.id });
    expect(trials.map((tr) => tr.number)).toEqual([1, 2, 3, 4]);
    expect(new Set(trials.map((tr) => tr.params['tricks.adam.learningRate']))).toEqual(new Set([0.00001, 0.0003, 0.01, 0.05]));

    // Each trial is a run of the project with the trial's value in its config.
    const runs = await api.runs.list({ projectId: p.id });
    expect(runs).toHaveLength(4);
    for (const trial of trials) {
      const run = runs.find((r) => r.id === trial.runId)!;
      expect(run.config.tricks.adam?.learningRate).toBe(trial.params['tricks.adam.learningRate']);
      expect(run.config.seed).toBe(3);
      // Two trials at once share the cores: each trains on the threads left for it (trials × threads ≤ cores).
      expect(run.config.threads).toBe(sweepParallelism({ concurrency: 2, backend: 'wasm' }).threads);
      expect(run.sweep).toEqual({ sweepId: started.id, trial: trial.number, state: trial.state });
    }

    // Pruned trials: stopped runs, recorded at the epoch of the rung that pruned them; their decision is ASHA's on the values
    // recorded at that rung before them.
    const pruned = trials.filter((tr) => tr.state === 'pruned');
    const completed = trials.filter((tr) => tr.state === 'completed');
    expect(pruned.length).toBeGreaterThanOrEqual(1);
    expect(completed.length).toBeGreaterThanOrEqual(1);
    expect(pruned.length + completed.length).toBe(4);
    for (const trial of pruned) {
      const last = trial.rungs[trial.rungs.length - 1]!;
      expect(last.promoted).toBe(false);
      expect(trial.rungs.slice(0, -1).every((r) => r.promoted)).toBe(true);
      expect(trial.epochs).toBe(last.epoch);
      expect(trial.objective).toBe(last.value);
      const run = runs.find((r) => r.id === trial.runId)!;
      expect(run.status).toBe('stopped');
      // The stop reaches the trainer after the rung's epoch: the run may have trained a little further, never less.
      expect(run.finalMetrics?.epochs).toBeGreaterThanOrEqual(last.epoch);
      expect(run.finalMetrics?.epochs).toBeLessThan(6);
    }
    for (const trial of completed) {
      expect(trial.rungs.map((r) => r.promoted)).toEqual([true, true, true]);
      expect(trial.epochs).toBe(6);
      expect(runs.find((r) => r.id === trial.runId)!.status).toBe('completed');
    }
    // Every decision replays: promoted exactly when ASHA says so given the earlier values at its rung.
    const decisions = t.store.sqlite
      .prepare('SELECT trial_id AS trialId, rung, value, promoted FROM sweep_rungs ORDER BY seq')
      .all() as { trialId: number; rung: number; value: number; promoted: number }[];
    for (const [i, d] of decisions.entries()) {
      const earlier = decisions.slice(0, i).filter((e) => e.rung === d.rung).map((e) => lossOf(e.value, 'min'));
      expect(d.promoted === 1).toBe(ashaPromotes(lossOf(d.value, 'min'), earlier, 2));
    }

    // The best is the completed trial with the lowest validation loss; its run is one click away.
    const best = completed.reduce((a, b) => (b.objective! < a.objective! ? b : a));
    expect(done.best).toMatchObject({ trialId: best.id, runId: best.runId, objective: best.objective });
    expect(done.counts.pruned).toBe(pruned.length);
    expect(done.total).toBe(4);
    expect(events.some((e) => e.trial?.state === 'pruned')).toBe(true);
    expect(events[events.length - 1]!.sweep.status).toBe('completed');
    // The queue ran two trainers at once for it.
    expect((await api.queue.get()).concurrency).toBe(2);
  });

  it('stops resumably and resumes through the API: interrupted trials continue from their checkpoints', async () => {
    const t = services(2);
    const { api } = t.services;
    const p = await project(api);
    const spec = lrSweep({ method: 'random', budget: { runs: 4 }, parameters: [{ path: 'tricks.adam.learningRate', min: 0.001, max: 0.05, log: true }], pruning: { method: 'none' }, base: { spec: tinySpec, dataset: tinyData, config: tinyConfig(30) } });
    const started = await api.sweeps.start({ projectId: p.id, sweep: spec });
    // Stop once a trial has trained a few epochs (so it has a checkpoint to continue from).
    const trialOf = async () => (await api.sweeps.get({ id: started.id })).trials.find((tr) => tr.epochs >= 3);
    const training = await until('a trial past epoch 3', trialOf);
    const stopped = await api.sweeps.stop({ id: started.id });
    expect(stopped).toMatchObject({ status: 'stopped', stopReason: 'stopped by the user' });
    const after = (await api.sweeps.get({ id: started.id })).trials;
    expect(after.every((tr) => tr.state === 'interrupted' || tr.state === 'completed')).toBe(true);
    const cut = after.find((tr) => tr.id === training.id)!;
    expect(cut.state).toBe('interrupted');
    expect((await api.runs.get({ id: cut.runId! })).status).toBe('stopped');
    expect((await api.queue.get()).pending).toEqual([]);
    await expect(api.sweeps.stop({ id: started.id })).rejects.toMatchObject({ code: 'conflict' });
    // A stopped sweep can be deleted; its runs stay in the project.
    expect(await api.sweeps.delete({ id: started.id })).toBeNull();
    expect((await api.sweeps.list({ projectId: p.id })).map((s) => s.id)).toEqual([]);
    expect((await api.runs.get({ id: cut.runId! })).status).toBe('stopped');

    const again = await api.sweeps.start({ projectId: p.id, sweep: spec });
    const resumedLater = await api.sweeps.stop({ id: again.id });
    expect(resumedLater.status).toBe('stopped');
    const resumed = await api.sweeps.resume({ id: again.id });
    expect(resumed.status).toBe('running');
    const done = await t.services.sweeps.settled(again.id);
    expect(done.status).toBe('completed');
    const trials = (await api.sweeps.get({ id: again.id })).trials;
    expect(trials.map((tr) => tr.state)).toEqual(['completed', 'completed', 'completed', 'completed']);
    // Each trial kept its one run, which trained every epoch once.
    for (const tr of trials) {
      const [valLoss] = await api.metrics.series({ runId: tr.runId!, names: ['valLoss'] });
      expect(valLoss!.epochs).toEqual(Array.from({ length: 30 }, (_, e) => e));
    }
    await expect(api.sweeps.resume({ id: again.id })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('continues a trial whose trainer was killed from its run\'s last checkpoint, counted as a second attempt', async () => {
    const t = services(1);
    const { api } = t.services;
    const p = await project(api);
    const started = await api.sweeps.start({
      projectId: p.id,
      sweep: lrSweep({ method: 'grid', parameters: [{ path: 'seed', values: [5] }], pruning: { method: 'none' }, base: { spec: tinySpec, dataset: tinyData, config: tinyConfig(30) } }),
    });
    const first = await until('the trial past epoch 3', async () => (await api.sweeps.get({ id: started.id })).trials.find((tr) => tr.epochs >= 3));
    const pid = t.services.queue.trainerPid(first.runId!);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    const done = await t.services.sweeps.settled(started.id);
    expect(done.status).toBe('completed');
    const [trial] = (await api.sweeps.get({ id: started.id })).trials;
    expect(trial).toMatchObject({ state: 'completed', attempts: 2, epochs: 30 });
    // A killed trainer leaves its run interrupted (resumable): the same run continued and finished.
    expect(trial!.runId).toBe(first.runId);
    expect(trial!.error).toMatch(new RegExp(`^run ${first.runId} was interrupted \\(trainer_killed: .*\\); continued from its last checkpoint$`));
    expect((await api.runs.get({ id: first.runId! })).status).toBe('completed');
    const [valLoss] = await api.metrics.series({ runId: trial!.runId!, names: ['valLoss'] });
    expect(valLoss!.epochs).toEqual(Array.from({ length: 30 }, (_, e) => e));
    expect(done.best?.runId).toBe(trial!.runId);
  });

  it('continues by itself when the studio starts again after closing mid-sweep', async () => {
    const first = services(2);
    const p = await project(first.services.api);
    const spec = lrSweep({ method: 'random', budget: { runs: 3 }, parameters: [{ path: 'tricks.adam.learningRate', min: 0.001, max: 0.05, log: true }], pruning: { method: 'none' }, base: { spec: tinySpec, dataset: tinyData, config: tinyConfig(20) } });
    const started = await first.services.api.sweeps.start({ projectId: p.id, sweep: spec });
    await until('a trial past epoch 2', async () => (await first.services.api.sweeps.get({ id: started.id })).trials.find((tr) => tr.epochs >= 2));
    // The host closes as the app does when it quits: trainers stop after their batch, their runs interrupted.
    first.services.sweeps.close();
    await first.close();
    const second = openTestServices({ concurrency: 1, dir: first.dir });
    open.push(second);
    const interrupted = second.store.sweeps.trials(started.id).filter((tr) => tr.state === 'interrupted' || tr.state === 'running');
    expect(interrupted.length).toBeGreaterThanOrEqual(1);
    const done = await second.services.sweeps.settled(started.id);
    expect(done).toMatchObject({ status: 'completed', total: 3 });
    const trials = second.store.sweeps.trials(started.id);
    expect(trials.map((tr) => tr.state)).toEqual(['completed', 'completed', 'completed']);
    for (const tr of trials) expect(second.store.metricSeries(tr.runId!, ['valLoss'])[0]!.epochs).toEqual(Array.from({ length: 20 }, (_, e) => e));
    // The sweep asked for 2 trainers at once: the studio's queue grew to 2 again.
    expect(second.services.queue.concurrency).toBe(2);
  });

  it('stops starting trials when its time budget is spent, and lets the running ones finish', async () => {
    const t = services(1);
    const { api } = t.services;
    const p = await project(api);
    const started = await api.sweeps.start({
      projectId: p.id,
      sweep: lrSweep({ method: 'random', budget: { runs: 50, minutes: 0.01 }, parameters: [{ path: 'tricks.adam.learningRate', min: 0.001, max: 0.05, log: true }], pruning: { method: 'none' } }),
    });
    const done = await t.services.sweeps.settled(started.id);
    expect(done.status).toBe('completed');
    expect(done.stopReason).toBe('budget: 0.01 minutes');
    expect(done.total).toBeGreaterThanOrEqual(1);
    expect(done.total).toBeLessThan(50);
    expect(done.counts.completed).toBe(done.total);
    expect(done.elapsedSeconds).toBeGreaterThanOrEqual(0.6);
  });

  it('refuses a spec that cannot run, naming the field and the value, and stores nothing', async () => {
    const t = services(1);
    const { api } = t.services;
    const p = await project(api);
    const bad = async (sweep: unknown, ...fragments: string[]) => {
      const error = await api.sweeps.start({ projectId: p.id, sweep: sweep as SweepSpecInput }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe('invalid_input');
      for (const f of fragments) expect((error as ApiError).message).toContain(f);
    };
    await bad(lrSweep({ parameters: [{ path: 'tricks.adam.learningRate', min: 0.1, max: 0.01 }] }), 'sweeps.start: sweep.parameters[0].max must be greater than min (0.1) (got 0.01)');
    await bad(lrSweep({ parameters: [{ path: 'tricks.adam.learningRate', min: 0.001, max: 20 }], method: 'random', budget: { runs: 3 } }), 'sweep.parameters[0].max: tricks.adam.learningRate = 20 makes config.tricks.adam.learningRate must be in (0, 10] (got 20)');
    await bad(lrSweep({ parameters: [{ path: 'layers[7].units', values: [4, 8] }] }), 'sweep.parameters[0].path leads to no layer of the base model (it has 3 layers at the top) (got "layers[7].units")');
    await bad(lrSweep({ parameters: [{ path: 'tricks.dropout.rate', values: [0.1] }] }), 'sweep.parameters[0].path sets a parameter of dropout, which is off in the base config');
    await bad(lrSweep({ method: 'random' }), 'sweep.budget needs runs or minutes for random search');
    await bad(lrSweep({ pruning: { method: 'asha', minEpochs: 6 } }), "sweep.pruning.minEpochs must be less than the base's epochs (6) for any rung to exist (got 6)");
    await bad(lrSweep({ base: { runId: 999 } }), 'sweep.base.runId does not exist (got 999)');
    await bad(lrSweep({ parameters: [{ path: 'layers[1].units', values: [0, 4] }] }), 'sweep.parameters[0].values[0]: layers[1].units = 0 makes layers[1].units must be a positive integer (got 0)');
    expect(await api.sweeps.list({ projectId: p.id })).toEqual([]);
    expect(await api.runs.list({ projectId: p.id })).toEqual([]);
  });
});
