// Drafts and preferences through the API over a real SQLite store (inputs checked as a transport checks them):
// a project starts with its preset's draft, a saved draft comes back exactly as typed (values being fixed
// included), and nothing but drafts.save changes it — not an ablation, a seed repeat, a lesson, a resume or
// a plain run. The queue is not started: every run stays queued, which is all these rules need.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type DraftInput, type LayerwiseApi, type ProjectDraft } from '../../shared/api/contract.js';
import { canonicalJson } from '../../shared/analysis/canonical.js';
import { FIRST_RUN_EPOCHS } from '../../shared/index.js';
import { tinyConfig, tinyData, tinySpec } from '../host/support.js';
import { openSourceServices, type SourceServices } from './support.js';

let test: SourceServices;
let api: LayerwiseApi;

beforeAll(() => {
  test = openSourceServices({ start: false });
  api = test.services.api;
});

afterAll(async () => {
  await test?.close();
}, 60_000);

/** A draft as the studio saves it mid-edit: dropout ticked, weight averaging over more epochs than the run has. */
const typed: DraftInput = {
  spec: tinySpec,
  config: { epochs: 2, batchSize: null, tricks: { adam: { learningRate: 0.01 }, dropout: { rate: 0.3 }, weightAveraging: { lastEpochs: 5 } } },
  dataset: tinyData,
  seedPolicy: { kind: 'fresh' },
};

const body = (d: ProjectDraft) => canonicalJson({ spec: d.spec, config: d.config, dataset: d.dataset, seedPolicy: d.seedPolicy });

async function rejects(call: Promise<unknown>, message: string): Promise<void> {
  const error = await call.then(
    (v) => new Error(`expected a refusal, got ${JSON.stringify(v).slice(0, 200)}`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).code).toBe('invalid_input');
  expect((error as ApiError).message).toContain(message);
}

describe('drafts', () => {
  it('a preset project starts with the preset’s model, data and settings; a blank one with defaults and no data', async () => {
    const presets = await api.presets.list();
    const cnn = presets.find((p) => p.id === 'mnist-cnn')!;
    const fromPreset = await api.projects.create({ presetId: 'mnist-cnn', name: 'Digits' });
    const draft = await api.drafts.get({ projectId: fromPreset.id });
    expect(draft.spec).toEqual(cnn.model);
    expect(draft.dataset).toEqual(cnn.dataset);
    expect(draft.config).toEqual({ epochs: cnn.training.epochs, batchSize: cnn.training.batchSize, tricks: cnn.training.tricks });
    expect(draft.seedPolicy).toEqual({ kind: 'fixed', seed: cnn.training.seed });
    expect(draft.updatedAt).not.toBeNull();

    const blank = await api.projects.create({ name: 'Scratch' });
    const empty = await api.drafts.get({ projectId: blank.id });
    expect(empty).toMatchObject({ spec: null, dataset: null, seedPolicy: { kind: 'fixed', seed: 1 } });
    expect(empty.config.epochs).toBe(FIRST_RUN_EPOCHS);
    expect(Object.keys(empty.config.tricks)).toEqual(['adam']);
  });

  it('keeps a saved draft exactly as typed, values still being fixed included, and replaces it whole', async () => {
    const { id } = await api.projects.create({ name: 'Typed' });
    const saved = await api.drafts.save({ projectId: id, draft: typed });
    expect(body(saved)).toBe(canonicalJson(typed));
    expect(body(await api.drafts.get({ projectId: id }))).toBe(canonicalJson(typed));
    // A second save replaces the first (one row per project).
    const next = await api.drafts.save({ projectId: id, draft: { ...typed, seedPolicy: { kind: 'fixed', seed: 7 } } });
    expect(next.seedPolicy).toEqual({ kind: 'fixed', seed: 7 });
    expect(test.store.sqlite.prepare('SELECT count(*) FROM project_drafts WHERE project_id = ?').pluck().get(id)).toBe(1);
  });

  it('refuses a malformed draft, naming the field and the value', async () => {
    const { id } = await api.projects.create({ name: 'Bad input' });
    await rejects(api.drafts.save({ projectId: id, draft: { ...typed, seedPolicy: { kind: 'fixed', seed: -1 } } }), 'draft.seedPolicy.seed must be an integer in [0, 2147483647] (got -1)');
    await rejects(api.drafts.save({ projectId: id, draft: { ...typed, seedPolicy: { kind: 'lucky' } as never } }), 'draft.seedPolicy');
    await rejects(api.drafts.save({ projectId: id, draft: { ...typed, config: { ...typed.config, epochs: 'ten' as never } } }), 'draft.config.epochs must be a number or null');
    await rejects(api.drafts.save({ projectId: id, draft: { ...typed, spec: { name: 'no layers' } as never } }), 'draft.spec must be a model spec (an object with a layers list) or null');
    await rejects(api.drafts.save({ projectId: id, draft: { ...typed, dataset: { kind: 'mnist', trainSamples: 3 } } }), 'draft.dataset.trainSamples');
    await rejects(api.drafts.get({ projectId: 0 }), 'projectId must be a positive integer');
    const missing = await api.drafts.get({ projectId: 9999 }).catch((e: unknown) => e);
    expect((missing as ApiError).code).toBe('not_found');
  });

  it('a draft goes with its project', async () => {
    const { id } = await api.projects.create({ name: 'Doomed' });
    await api.drafts.save({ projectId: id, draft: typed });
    await api.projects.delete({ id });
    expect(test.store.sqlite.prepare('SELECT count(*) FROM project_drafts WHERE project_id = ?').pluck().get(id)).toBe(0);
  });

  it('an ablation, a seed repeat, a lesson, a resume and a plain run leave the draft alone', async () => {
    const { id } = await api.projects.create({ name: 'Untouched' });
    const saved = await api.drafts.save({ projectId: id, draft: typed });
    const base = await api.runs.start({ projectId: id, spec: tinySpec, dataset: tinyData, config: tinyConfig(1, { seed: 3, tricks: { dropout: { rate: 0.5 } } }) });
    await api.runs.ablate({ runId: base.id, tricks: ['dropout', 'batchNorm'] });
    await api.runs.repeat({ runId: base.id, seeds: 3 });
    await api.lessons.start({ lessonId: 'dropout', budget: 'small', projectId: id });
    await api.runs.stop({ id: base.id });
    await api.runs.resumeFromCheckpoint({ id: base.id });
    const after = await api.drafts.get({ projectId: id });
    expect(body(after)).toBe(body(saved));
    expect(after.updatedAt).toBe(saved.updatedAt);
  });
});

describe('drafts of projects made before drafts existed', () => {
  it('are made once from the project’s records — its newest model, its data, the settings of its newest hand-started run — then kept', async () => {
    const project = test.store.createProject({ name: 'Old project' });
    const version = test.store.saveModelVersion(project.id, tinySpec);
    const dataset = test.store.saveDataset(project.id, { source: tinyData, split: {} });
    const handConfig = { epochs: 4, batchSize: 32, seed: 5, tricks: { adam: { learningRate: 0.005 }, dropout: { rate: 0.2 } } };
    const run = (name: string | null, config: object) =>
      test.store.createRun({ projectId: project.id, modelVersionId: version.id, datasetId: dataset.id, config: config as never, backend: 'cpu', name });
    run(null, handConfig);
    // Newer runs an ablation and a repeat made: their settings are not the user's.
    run('run 1: dropout off', { ...handConfig, tricks: { adam: { learningRate: 0.005 } } });
    run('run 1, seed 6', { ...handConfig, seed: 6 });
    const draft = await api.drafts.get({ projectId: project.id });
    expect(draft.spec).toEqual(tinySpec);
    expect(draft.dataset).toEqual(tinyData);
    expect(draft.config).toMatchObject({ epochs: 4, batchSize: 32, tricks: { dropout: { rate: 0.2 } } });
    expect(draft.seedPolicy).toEqual({ kind: 'fixed', seed: 5 });
    // Made once: a later hand-started run does not change it.
    run(null, { ...handConfig, epochs: 9 });
    expect(body(await api.drafts.get({ projectId: project.id }))).toBe(body(draft));
  });
});

describe('run numbers', () => {
  it('count per project from 1, and a deleted run’s number is never given again', async () => {
    const a = (await api.projects.create({ name: 'Numbers A' })).id;
    const b = (await api.projects.create({ name: 'Numbers B' })).id;
    const start = (projectId: number) => api.runs.start({ projectId, spec: tinySpec, dataset: tinyData, config: tinyConfig(1) });
    const a1 = await start(a);
    const b1 = await start(b);
    const a2 = await start(a);
    expect([a1.number, b1.number, a2.number]).toEqual([1, 1, 2]);
    await api.runs.stop({ id: a2.id });
    await api.runs.delete({ id: a2.id });
    expect((await start(a)).number).toBe(3);
    const group = await api.runs.repeat({ runId: a1.id, seeds: 3 });
    expect(group.runs.map((r) => r.number)).toEqual([4, 5]);
    expect((await api.runs.list({ projectId: a })).map((r) => r.number)).toEqual([1, 3, 4, 5]);
  });
});

describe('settings', () => {
  it('start at the system theme, remember a choice, and refuse one that does not exist', async () => {
    expect(await api.settings.get()).toEqual({ theme: 'system' });
    expect(await api.settings.update({ theme: 'dark' })).toEqual({ theme: 'dark' });
    expect(await api.settings.get()).toEqual({ theme: 'dark' });
    expect(await api.settings.update({})).toEqual({ theme: 'dark' });
    await rejects(api.settings.update({ theme: 'sepia' as never }), 'theme must be one of system, light, dark');
    await rejects(api.settings.update({ colour: 'red' } as never), 'colour');
  });
});
