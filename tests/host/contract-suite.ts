// The contract suite: what every transport of the API must do, written against LayerwiseApi and
// LayerwiseEvents only. tests/host/contract.test.ts runs it against the services directly and through the
// browser host over real HTTP; the Electron transport runs it through paired fake ipcMain/ipcRenderer
// objects. `makeClient` gets a fresh data folder with trainers that really run (tiny jobs, wasm).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  EVENT_NAMES,
  type ApiErrorCode,
  type ApiEventPayloads,
  type EventName,
  type LayerwiseApi,
  type LayerwiseEvents,
  type Run,
  type RunStatus,
} from '../../shared/api/contract.js';
import { base64ToBytes, bytesToBase64 } from '../../shared/api/base64.js';
import { tinyConfig, tinyData, tinyRun, tinySpec, until } from './support.js';

export interface ContractClient {
  api: LayerwiseApi;
  events: LayerwiseEvents;
  close(): Promise<void>;
}

/** Every event received, by name. */
function recordEvents(events: LayerwiseEvents) {
  const seen: { [E in EventName]: ApiEventPayloads[E][] } = { onRunProgress: [], onRunEpoch: [], onRunStatus: [], onRunCheckpoint: [], onQueueChanged: [], onDatasetImportProgress: [], onSweepChanged: [] };
  const offs = EVENT_NAMES.map((name) => (events[name] as (listener: (payload: unknown) => void) => () => void)((payload) => void (seen[name] as unknown[]).push(payload)));
  return { seen, off: () => offs.forEach((off) => off()) };
}

/** Expects the call to reject with an ApiError of this code whose message contains every fragment. */
async function rejects(call: Promise<unknown>, code: ApiErrorCode, ...fragments: string[]): Promise<ApiError> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected ${code}, got a result: ${JSON.stringify(value)?.slice(0, 200)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  const apiError = error as ApiError;
  expect({ code: apiError.code, message: apiError.message }).toMatchObject({ code });
  for (const f of fragments) expect(apiError.message).toContain(f);
  return apiError;
}

export function runContractSuite(name: string, makeClient: () => Promise<ContractClient>): void {
  describe(`API contract: ${name}`, () => {
    let client: ContractClient;
    let api: LayerwiseApi;
    let events: ReturnType<typeof recordEvents>;

    const statusOf = async (id: number) => (await api.runs.get({ id })).status;
    const waitStatus = (id: number, ...statuses: RunStatus[]) =>
      until(`run ${id} to be ${statuses.join(' or ')}`, async () => {
        const run = await api.runs.get({ id });
        return statuses.includes(run.status) ? run : undefined;
      });

    beforeAll(async () => {
      client = await makeClient();
      api = client.api;
      events = recordEvents(client.events);
    });
    afterAll(async () => {
      events?.off();
      await client?.close();
    });

    it('describes the host, the presets and the tricks', async () => {
      const info = await api.app.info();
      expect(info.version).toMatch(/\d+\.\d+\.\d+/);
      expect(info.dataDir.length).toBeGreaterThan(0);
      expect(info.interruptedRuns).toEqual([]);
      const presets = await api.presets.list();
      expect(presets.map((p) => p.id)).toContain('spiral-mlp');
      const tricks = await api.tricks.list();
      const adam = tricks.find((t) => t.id === 'adam')!;
      expect(adam.params.learningRate).toMatchObject({ kind: 'number' });
    });

    it('checks specs: shapes and counts, the expanded model, or every error by path', async () => {
      const good = await api.spec.check({ spec: tinySpec });
      expect(good).toMatchObject({ ok: true, errors: [], expanded: null });
      expect(good.info!.totalParams).toBe(2 * 8 + 8 + 8 * 3 + 3);
      expect(good.info!.outputShape).toEqual([3]);
      const withDropout = await api.spec.check({ spec: tinySpec, config: tinyConfig(2, { tricks: { dropout: { rate: 0.2 } } }) });
      expect(withDropout.ok).toBe(true);
      expect(withDropout.expanded!.layers.map((l) => l.type)).toContain('dropout');
      const bad = await api.spec.check({ spec: { ...tinySpec, layers: [tinySpec.layers[0], { type: 'dense', units: 0 }] }, config: { epochs: 0, batchSize: 1, seed: 1 } });
      expect(bad.ok).toBe(false);
      expect(bad.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['layers[1].units', 'config.epochs']));
      expect(bad.errors.find((e) => e.path === 'layers[1].units')!.message).toContain('(got 0)');
    });

    it('creates, renames, lists and deletes projects; a preset seeds the model and the data', async () => {
      const blank = await api.projects.create({ name: 'Blank' });
      expect(blank).toMatchObject({ name: 'Blank', notes: '' });
      const seeded = await api.projects.create({ presetId: 'spiral-mlp', notes: 'from a preset' });
      expect(seeded.name).toContain('Spiral');
      const models = await api.models.list({ projectId: seeded.id });
      expect(models).toHaveLength(1);
      expect(models[0]!.spec.layers[0]).toEqual({ type: 'input', shape: [2] });
      expect(await api.models.get({ id: models[0]!.id })).toEqual(models[0]);
      const datasets = await api.datasets.list({ projectId: seeded.id });
      expect(datasets.map((d) => d.source)).toEqual([{ kind: 'synthetic', name: 'spiral', samples: 1500, classes: 3, noise: 0.05 }]);

      const renamed = await api.projects.update({ id: blank.id, name: 'Renamed', notes: 'n' });
      expect(renamed).toMatchObject({ id: blank.id, name: 'Renamed', notes: 'n' });
      expect((await api.projects.list()).map((p) => p.id)).toEqual(expect.arrayContaining([blank.id, seeded.id]));
      expect(await api.projects.delete({ id: blank.id })).toBeNull();
      expect((await api.projects.list()).map((p) => p.id)).not.toContain(blank.id);

      await rejects(api.projects.update({ id: blank.id, name: 'Gone' }), 'not_found', `project ${blank.id} does not exist`);
      await rejects(api.projects.create({ presetId: 'no-such-preset' }), 'not_found', 'no-such-preset');
      await rejects(api.projects.create({}), 'invalid_input', 'name must be given');
    });

    it('refuses bad input with the field and the value named', async () => {
      await rejects(api.projects.create({ name: 5 } as never), 'invalid_input', 'projects.create: name must be a string (got 5)');
      await rejects(api.projects.create({ name: 'x', colour: 'red' } as never), 'invalid_input', 'colour is not a known field');
      await rejects(api.runs.get({ id: 0 }), 'invalid_input', 'id must be a positive integer (got 0)');
      await rejects(api.projects.create({ name: '   ' }), 'invalid_input', 'name must not be empty');
      const project = await api.projects.create({ name: 'Bad runs' });
      await rejects(api.runs.start({ ...tinyRun(project.id, 2), config: { epochs: 0, batchSize: 16, seed: 1 } }), 'invalid_input', 'config.epochs must be an integer in [1, 10000] (got 0)');
      await rejects(
        api.runs.start({ ...tinyRun(project.id, 2), spec: { ...tinySpec, layers: [{ type: 'input', shape: [5] }, ...tinySpec.layers.slice(1)] } }),
        'invalid_input',
        'spec.layers[0].shape must be [2] to take the spiral set (got [5])',
      );
      await rejects(api.runs.start({ ...tinyRun(project.id, 2), modelVersionId: 1 }), 'invalid_input', 'exactly one of them');
      expect(await api.runs.list({ projectId: project.id })).toEqual([]);
      expect(await api.models.list({ projectId: project.id })).toEqual([]);
    });

    it('keeps model versions once per spec', async () => {
      const project = await api.projects.create({ name: 'Versions' });
      const first = await api.models.save({ projectId: project.id, spec: tinySpec });
      const again = await api.models.save({ projectId: project.id, spec: structuredClone(tinySpec) });
      const child = await api.models.save({ projectId: project.id, spec: { ...tinySpec, name: 'Wider' }, parentId: first.id });
      expect([first.created, again.created, child.created]).toEqual([true, false, true]);
      expect(again.id).toBe(first.id);
      expect(child.parentId).toBe(first.id);
      expect((await api.models.list({ projectId: project.id })).map((v) => v.id)).toEqual([first.id, child.id]);
    });

    it('previews datasets: the first samples and the class histogram', async () => {
      const spiral = await api.datasets.preview({ source: tinyData, count: 5 });
      expect(spiral).toMatchObject({ inputShape: [2], numClasses: 3, split: 'train', counts: { train: 240, validation: 30, test: 30 } });
      expect(spiral.samples).toHaveLength(5);
      expect(spiral.samples[0]!.features).toHaveLength(2);
      expect(spiral.histogram.reduce((a, b) => a + b, 0)).toBe(240);
      const mnist = await api.datasets.preview({ source: { kind: 'mnist' }, split: 'test', count: 2 });
      expect(mnist).toMatchObject({ inputShape: [28, 28, 1], numClasses: 10, counts: { train: 8000, validation: 1000, test: 1000 } });
      expect(mnist.samples[0]!.features).toHaveLength(784);
      expect(Math.max(...mnist.samples[0]!.features)).toBeGreaterThan(1);
      expect(mnist.histogram.reduce((a, b) => a + b, 0)).toBe(1000);
    });

    it('imports the user\'s CSV file as a dataset, and refuses a bad one naming the row with nothing kept', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lw-import-'));
      const good = join(dir, 'points.csv');
      const rows = Array.from({ length: 60 }, (_, i) => `${(i % 7) - 3},${(i % 5) - 2},${i % 2 ? 'odd' : 'even'}`);
      writeFileSync(good, ['a,b,parity', ...rows].join('\n'));
      const project = await api.projects.create({ name: 'Own data' });
      const imported = await api.datasets.import({ kind: 'csv', projectId: project.id, path: good, target: 'parity', name: 'points' });
      expect(imported.created).toBe(true);
      expect(imported.notes[0]).toContain('target "parity" (classification)');
      expect(imported.dataset).toMatchObject({ projectId: project.id, name: 'points', source: { kind: 'csv', classes: 2 } });
      const preview = await api.datasets.preview({ source: imported.dataset.source, count: 3 });
      expect(preview.samples).toHaveLength(3);

      const bad = join(dir, 'bad.csv');
      writeFileSync(bad, ['a,b,parity', ...rows.slice(0, 20), '1,oops,odd', ...rows.slice(20)].join('\n'));
      const error = await rejects(api.datasets.import({ kind: 'csv', projectId: project.id, path: bad, target: 'parity' }), 'invalid_input', 'bad.csv', 'nothing was registered');
      expect(error.message).toMatch(/row \d+/);
      expect(await api.datasets.list({ projectId: project.id })).toHaveLength(1);
    });

    it('trains a queued run to completion, recording and pushing every epoch', async () => {
      const project = await api.projects.create({ name: 'Training' });
      const run = await api.runs.start(tinyRun(project.id, 3, 'first'));
      expect(run).toMatchObject({ status: expect.stringMatching(/queued|running/), backend: 'wasm', name: 'first' });
      const done = await waitStatus(run.id, 'completed', 'failed');
      expect(done.error).toBeNull();
      expect(done).toMatchObject({ status: 'completed', backend: 'wasm', finalMetrics: { epochs: 3 } });
      expect(done.finalMetrics!.testAccuracy).toBeGreaterThan(0);
      expect(done.device).toBeTruthy();

      const series = await api.metrics.series({ runId: run.id, names: ['loss', 'valAccuracy'] });
      expect(series.map((s) => s.name)).toEqual(['loss', 'valAccuracy']);
      expect(series[0]!.epochs).toEqual([0, 1, 2]);
      const curves = await api.metrics.curves({ runIds: [run.id], names: ['loss'] });
      expect(curves).toEqual([{ runId: run.id, series: [series[0]] }]);
      const checkpoints = await api.checkpoints.list({ runId: run.id });
      expect(checkpoints.length).toBeGreaterThan(0);
      expect(checkpoints[0]).not.toHaveProperty('bytes');
      expect(checkpoints.every((c) => c.size > 0 && c.weights.sha256.length === 64)).toBe(true);
      const listed = await api.runs.list({ projectId: project.id });
      expect(listed.map((r) => [r.id, r.modelName, r.status])).toEqual([[run.id, 'Tiny spiral', 'completed']]);

      await until('the pushed events', () => events.seen.onRunStatus.some((e) => e.runId === run.id && e.status === 'completed'));
      const statuses = events.seen.onRunStatus.filter((e) => e.runId === run.id).map((e) => e.status);
      expect(statuses[0]).toBe('queued');
      expect(statuses).toContain('running');
      expect(statuses.at(-1)).toBe('completed');
      expect(events.seen.onRunEpoch.filter((e) => e.runId === run.id).map((e) => e.report.epoch)).toEqual([0, 1, 2]);
      expect(events.seen.onRunProgress.filter((e) => e.runId === run.id).length).toBeGreaterThan(0);
      expect(events.seen.onRunCheckpoint.filter((e) => e.runId === run.id).length).toBeGreaterThan(0);
      expect(events.seen.onQueueChanged.length).toBeGreaterThan(0);
    });

    it('queues, reorders, pauses, resumes, stops, continues from a checkpoint and deletes runs', async () => {
      const project = await api.projects.create({ name: 'Queue' });
      const long = await api.runs.start(tinyRun(project.id, 5000, 'long'));
      const b = await api.runs.start(tinyRun(project.id, 2, 'b'));
      const c = await api.runs.start(tinyRun(project.id, 2, 'c'));
      expect((await api.queue.get()).concurrency).toBe(1);
      await waitStatus(long.id, 'running');
      expect(await api.queue.get()).toMatchObject({ active: [long.id], pending: [b.id, c.id] });
      expect(await api.queue.reorder({ runIds: [c.id] })).toMatchObject({ pending: [c.id, b.id] });
      await rejects(api.queue.reorder({ runIds: [long.id] }), 'conflict', `run ${long.id} is not waiting`);

      // A queued run leaves the queue as stopped; a training one pauses, resumes and stops.
      expect((await api.runs.stop({ id: b.id })).status).toBe('stopped');
      expect((await api.queue.get()).pending).toEqual([c.id]);
      await until('an epoch of the long run', async () => (await api.checkpoints.list({ runId: long.id })).length > 0);
      expect((await api.runs.pause({ id: long.id })).status).toBe('paused');
      await rejects(api.runs.pause({ id: c.id }), 'conflict', 'only a running run can be paused');
      await rejects(api.runs.delete({ id: long.id }), 'conflict', 'stop it before deleting it');
      await rejects(api.projects.delete({ id: project.id }), 'conflict', 'stop them first');
      expect((await api.runs.resume({ id: long.id })).status).toBe('running');
      const stopped = await api.runs.stop({ id: long.id });
      expect(stopped.status).toBe('stopped');
      expect(stopped.finalMetrics!.epochs).toBeLessThan(5000);
      await rejects(api.runs.stop({ id: long.id }), 'conflict', 'nothing to stop');

      // The queue moves on to c; then b (stopped before it ever ran) continues from scratch.
      expect((await waitStatus(c.id, 'completed', 'failed')).status).toBe('completed');
      await rejects(api.runs.resume({ id: b.id }), 'conflict', 'runs.resumeFromCheckpoint');
      await api.runs.resumeFromCheckpoint({ id: b.id });
      expect((await waitStatus(b.id, 'completed', 'failed')).status).toBe('completed');
      expect((await api.metrics.series({ runId: b.id, names: ['loss'] }))[0]!.epochs).toEqual([0, 1]);
      await rejects(api.runs.resumeFromCheckpoint({ id: b.id }), 'conflict', 'only an interrupted or stopped run');

      expect(await api.runs.delete({ id: b.id })).toBeNull();
      await rejects(api.runs.get({ id: b.id }), 'not_found', `run ${b.id} does not exist`);
      expect(events.seen.onRunStatus.some((e) => e.runId === b.id && e.run === null)).toBe(true);
      expect(await statusOf(long.id)).toBe('stopped');
      expect(await api.queue.setConcurrency({ concurrency: 2 })).toMatchObject({ concurrency: 2 });
      await rejects(api.queue.setConcurrency({ concurrency: 0 }), 'invalid_input', 'concurrency must be an integer in [1, 16] (got 0)');
      await api.queue.setConcurrency({ concurrency: 1 });
    });

    it('saves, lists, updates and deletes comparisons', async () => {
      const project = await api.projects.create({ name: 'Compare' });
      const other = await api.projects.create({ name: 'Other' });
      // Comparisons need runs, not trained ones: the queued ones are stopped before they start.
      const r1 = await api.runs.start(tinyRun(project.id, 1000));
      const r2 = await api.runs.start(tinyRun(project.id, 1));
      const foreign = await api.runs.start(tinyRun(other.id, 1));
      for (const r of [foreign, r2, r1]) expect((await api.runs.stop({ id: r.id })).status).toBe('stopped');
      const saved = await api.comparisons.save({ projectId: project.id, name: 'Adam vs Adam', runIds: [r1.id, r2.id] });
      expect(saved).toMatchObject({ name: 'Adam vs Adam', runIds: [r1.id, r2.id], notes: '', kind: 'manual', baseRunId: null, lessonId: null });
      expect(await api.comparisons.list({ projectId: project.id })).toEqual([saved]);
      const updated = await api.comparisons.update({ id: saved.id, name: 'Renamed', runIds: [r2.id] });
      expect(updated).toMatchObject({ name: 'Renamed', runIds: [r2.id], kind: 'manual' });
      expect(await api.comparisons.get({ id: saved.id })).toEqual(updated);
      await rejects(api.comparisons.update({ id: saved.id, runIds: [foreign.id] }), 'invalid_input', `run ${foreign.id} belongs to project ${other.id}`);
      await rejects(api.comparisons.save({ projectId: project.id, name: 'dup', runIds: [r1.id, r1.id] }), 'invalid_input', 'must not list an id twice');
      expect(await api.comparisons.delete({ id: saved.id })).toBeNull();
      await rejects(api.comparisons.get({ id: saved.id }), 'not_found');

      // Groups made from a run: queued runs and a comparison that says how it was made.
      const repeated = await api.runs.repeat({ runId: r2.id, seeds: 2 });
      expect(repeated.runs.map((r) => [r.seed, r.status])).toEqual([[r2.seed + 1, 'queued']]);
      expect(repeated.comparison).toMatchObject({ projectId: project.id, kind: 'seeds', baseRunId: r2.id, lessonId: null, runIds: [r2.id, repeated.runs[0]!.id] });
      const ablation = await api.runs.ablate({ runId: r2.id, tricks: ['dropout'] });
      expect(ablation.runs[0]!.config.tricks).toHaveProperty('dropout');
      expect(ablation.comparison).toMatchObject({ kind: 'ablation', baseRunId: r2.id, runIds: [r2.id, ablation.runs[0]!.id] });
      await rejects(api.runs.ablate({ runId: r2.id, tricks: ['warpDrive'] }), 'invalid_input', 'runs.ablate: tricks[0] is not a known trick');
      for (const run of [...repeated.runs, ...ablation.runs]) await waitStatus(run.id, 'completed', 'failed');
    });

    it('exports a project as a bundle and imports it back as a new project', async () => {
      const project = await api.projects.create({ name: 'Bundled' });
      const run = await api.runs.start(tinyRun(project.id, 2));
      await waitStatus(run.id, 'completed');
      const exported = await api.bundles.export({ projectId: project.id });
      expect(exported).toMatchObject({ fileName: 'Bundled.layerwise', projectId: project.id, runs: 1, modelVersions: 1 });
      const bytes = base64ToBytes(exported.data);
      expect(bytes.byteLength).toBe(exported.size);
      expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b]); // a zip
      expect(bytesToBase64(bytes)).toBe(exported.data);

      const imported = await api.bundles.import({ data: exported.data });
      expect(imported.projectId).not.toBe(project.id);
      expect(imported).toMatchObject({ projectName: 'Bundled', runs: 1 });
      const newRunId = imported.runIds[String(run.id)]!;
      const copy = await api.runs.get({ id: newRunId });
      expect(copy).toMatchObject({ projectId: imported.projectId, status: 'completed' });
      expect(await api.metrics.series({ runId: newRunId })).toEqual(await api.metrics.series({ runId: run.id }));

      const before = (await api.projects.list()).length;
      await rejects(api.bundles.import({ data: bytesToBase64(new TextEncoder().encode('not a zip at all')) }), 'invalid_input', 'bundles.import');
      await rejects(api.bundles.import({ data: 'not base64!' }), 'invalid_input', 'data must be base64');
      expect((await api.projects.list()).length).toBe(before);
    });

    it('answers an unknown id with not_found, naming it', async () => {
      await rejects(api.runs.get({ id: 987654 }), 'not_found', 'run 987654 does not exist');
      await rejects(api.metrics.series({ runId: 987654 }), 'not_found', 'run 987654');
      await rejects(api.checkpoints.list({ runId: 987654 }), 'not_found');
      await rejects(api.models.list({ projectId: 987654 }), 'not_found', 'project 987654');
      await rejects(api.bundles.export({ projectId: 987654 }), 'not_found');
    });

    it('has one method per contract entry, all async', async () => {
      const promise = api.queue.get();
      expect(promise).toBeInstanceOf(Promise);
      await promise;
      const run: Run | undefined = (await api.runs.list({})).at(0);
      expect(run === undefined || typeof run.id === 'number').toBe(true);
    });
  });
}
