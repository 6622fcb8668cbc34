// Sweeps travel in project bundles (format 3): the spec, status and run time, every trial linked to its run (new
// ids on import) and every rung decision. A sweep exported while running arrives stopped and resumable; a format 2
// bundle (before sweeps) still imports; a bundle whose sweep points outside it is refused, the database untouched.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunRecord } from '../../core/runs/recorder.js';
import { exportBundle, importBundle, Store, StoreError } from '../../core/store/index.js';
import { parseSweepSpec, parseTrainingConfig, planSweep, type SweepBase, type SweepSpecInput, type TrainingConfig } from '../../shared/index.js';
import { tempDir, tinyConfig, tinyData, tinySpec } from '../host/support.js';

const stores: Store[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));
const open = (dir: string) => {
  const s = Store.open(dir);
  stores.push(s);
  return s;
};

function config(): TrainingConfig {
  const parsed = parseTrainingConfig(tinyConfig(6));
  if (!parsed.ok) throw new Error('bad config');
  return parsed.value;
}

/** A project with a sweep of three trials (completed, pruned at rung 0, training) and one run outside it. */
function seed(store: Store) {
  const project = store.createProject({ name: 'Swept' });
  const input: SweepSpecInput = {
    name: 'LR',
    base: { spec: tinySpec, dataset: tinyData, config: tinyConfig(6) },
    method: 'random',
    budget: { runs: 5 },
    parameters: [{ path: 'tricks.adam.learningRate', min: 0.001, max: 0.1, log: true }],
    pruning: { method: 'asha', minEpochs: 1, eta: 2 },
  };
  const parsed = parseSweepSpec(input);
  if (!parsed.ok) throw new Error('bad spec');
  const plan = planSweep(parsed.value, parsed.value.base as unknown as SweepBase);
  if (!plan.ok) throw new Error(plan.errors.map((e) => e.message).join('; '));
  const sweep = store.sweeps.create({ projectId: project.id, name: plan.value.spec.name, spec: JSON.parse(JSON.stringify(plan.value.spec)), concurrency: 2 });
  store.sweeps.addElapsed(sweep.id, 12_345);
  const run = (lr: number) => createRunRecord(store, { projectId: project.id, spec: tinySpec, dataset: tinyData, config: { ...config(), tricks: { adam: { ...config().tricks.adam!, learningRate: lr } } }, backend: 'wasm' });
  const outside = createRunRecord(store, { projectId: project.id, spec: tinySpec, dataset: tinyData, config: config(), backend: 'wasm' });
  const runs = [run(0.01), run(0.002), run(0.05)];
  const t1 = store.sweeps.addTrial(sweep.id, { number: 1, params: { 'tricks.adam.learningRate': 0.01 }, state: 'completed', runId: runs[0]!.id });
  store.sweeps.updateTrial(t1.id, { epochs: 6, valLoss: 0.5, valAccuracy: 0.8, objective: 0.5 });
  store.sweeps.recordRung(t1.id, { rung: 0, epoch: 1, value: 0.9, promoted: true });
  store.sweeps.recordRung(t1.id, { rung: 1, epoch: 2, value: 0.7, promoted: true });
  const t2 = store.sweeps.addTrial(sweep.id, { number: 2, params: { 'tricks.adam.learningRate': 0.002 }, state: 'pruned', runId: runs[1]!.id });
  store.sweeps.updateTrial(t2.id, { epochs: 1, valLoss: 1.1, valAccuracy: 0.4, objective: 1.1 });
  store.sweeps.recordRung(t2.id, { rung: 0, epoch: 1, value: 1.1, promoted: false });
  store.sweeps.addTrial(sweep.id, { number: 3, params: { 'tricks.adam.learningRate': 0.05 }, state: 'running', runId: runs[2]!.id });
  return { project, sweep, runs, outside };
}

function rezip(file: string, edit: (manifest: Record<string, unknown>) => void): Uint8Array {
  const entries = unzipSync(readFileSync(file)) as Record<string, Uint8Array>;
  const manifest = JSON.parse(strFromU8(entries['manifest.json']!)) as Record<string, unknown>;
  edit(manifest);
  entries['manifest.json'] = strToU8(JSON.stringify(manifest));
  return zipSync(entries);
}

describe('sweeps in bundles', () => {
  it('round-trip with their trials, runs and rung decisions; a running sweep arrives stopped, resumable', async () => {
    const a = open(tempDir('sweep-bundle-a'));
    const { project, sweep, runs } = seed(a);
    const file = join(tempDir('sweep-bundle-file'), 'p.layerwise');
    exportBundle(a, project.id, file);

    const b = open(tempDir('sweep-bundle-b'));
    b.createProject({ name: 'already here' });
    const imported = await importBundle(b, file);
    const [copy] = b.sweeps.list({ projectId: imported.projectId });
    expect(copy).toMatchObject({ name: 'LR', status: 'stopped', stopReason: 'it was running when the bundle was exported', concurrency: 2, elapsedMs: 12_345, spec: a.sweeps.get(sweep.id).spec });
    const before = a.sweeps.trials(sweep.id);
    const after = b.sweeps.trials(copy!.id);
    expect(after.map((t) => t.runId)).toEqual(runs.map((r) => imported.runIds[r.id]));
    const strip = (t: (typeof before)[number]) => ({ ...t, id: 0, sweepId: 0, runId: 0, state: t.state === 'running' ? 'interrupted' : t.state, finishedAt: t.finishedAt });
    expect(after.map(strip)).toEqual(before.map(strip));
    expect(after[1]!.rungs).toEqual([{ rung: 0, epoch: 1, value: 1.1, promoted: false }]);
    expect(b.sweeps.marks(imported.projectId).get(imported.runIds[runs[1]!.id]!)).toEqual({ sweepId: copy!.id, trial: 2, state: 'pruned' });
  });

  it('a format 2 bundle (before sweeps) still imports', async () => {
    const a = open(tempDir('sweep-bundle-v2a'));
    const { project } = seed(a);
    const file = join(tempDir('sweep-bundle-v2f'), 'p.layerwise');
    exportBundle(a, project.id, file);
    const old = join(tempDir('sweep-bundle-v2g'), 'old.layerwise');
    writeFileSync(
      old,
      rezip(file, (m) => {
        m.formatVersion = 2;
        delete m.sweeps;
      }),
    );
    const b = open(tempDir('sweep-bundle-v2b'));
    const imported = await importBundle(b, old);
    expect(imported.runs).toBe(4);
    expect(b.sweeps.list({ projectId: imported.projectId })).toEqual([]);
  });

  it.each([
    ['a trial of a run not in the bundle', (m: Record<string, unknown>) => ((m.sweeps as { trials: { runId: number }[] }[])[0]!.trials[0]!.runId = 99), 'sweeps[0].trials[0].runId 99 is not a run in the bundle'],
    ['two trials with one number', (m: Record<string, unknown>) => ((m.sweeps as { trials: { number: number }[] }[])[0]!.trials[1]!.number = 1), 'sweeps[0].trials[1].number 1 appears twice'],
    ['a spec that does not plan', (m: Record<string, unknown>) => ((m.sweeps as { spec: { parameters: unknown[] } }[])[0]!.spec.parameters = []), 'sweeps[0].spec: parameters must list at least one parameter'],
    ['a trial state that does not exist', (m: Record<string, unknown>) => ((m.sweeps as { trials: { state: string }[] }[])[0]!.trials[0]!.state = 'lost'), 'sweeps[0].trials[0].state must be one of queued, running, completed, pruned'],
    ['a decision at a rung the sweep does not have', (m: Record<string, unknown>) => ((m.sweeps as { trials: { rungs: { rung: number }[] }[] }[])[0]!.trials[0]!.rungs[1]!.rung = 7), 'sweeps[0].trials[0] has a decision at rung 7; the sweep has 3'],
  ])('refuses %s and writes nothing', async (_, edit, message) => {
    const a = open(tempDir('sweep-bundle-bad-a'));
    const { project } = seed(a);
    const file = join(tempDir('sweep-bundle-bad-f'), 'p.layerwise');
    exportBundle(a, project.id, file);
    const bad = join(tempDir('sweep-bundle-bad-g'), 'bad.layerwise');
    writeFileSync(bad, rezip(file, edit));
    const b = open(tempDir('sweep-bundle-bad-b'));
    let error: unknown;
    try {
      await importBundle(b, bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('BundleInvalid');
    expect((error as StoreError).message).toContain(message);
    expect(b.listProjects()).toEqual([]);
    expect(b.sweeps.list()).toEqual([]);
  });
});
