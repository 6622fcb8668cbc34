// Runs made from other runs, through the API (inputs checked as a transport checks them) over a real store
// with real trainer processes: one-click ablation, repeat with N seeds, fork from a checkpoint, and the
// refusals that name the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ApiEventPayloads, type LayerwiseApi, type Run, type RunStatus } from '../../shared/api/contract.js';
import { parseTrainingConfig, type TrainingConfig } from '../../shared/index.js';
import { rowCounts, tinyConfig, tinyData, tinySpec } from '../host/support.js';
import { openSourceServices, until, type SourceServices } from './support.js';
import { HANG_MS } from '../support/patience.js';

let test: SourceServices;
let api: LayerwiseApi;
let projectId: number;
let base: Run;
/** The base's dropout sibling (made by the first ablation). */
let withDropout: Run;
const statusEvents: ApiEventPayloads['onRunStatus'][] = [];
const epochEvents: ApiEventPayloads['onRunEpoch'][] = [];

const waitStatus = (id: number, ...statuses: RunStatus[]) =>
  until(
    `run ${id} to be ${statuses.join(' or ')}`,
    async () => {
      const run = await api.runs.get({ id });
      return statuses.includes(run.status) ? run : undefined;
    },
    HANG_MS,
    100,
  );

async function rejects(call: Promise<unknown>, code: string, message: string): Promise<ApiError> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected ${code}, got ${JSON.stringify(value)?.slice(0, 200)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect({ code: (error as ApiError).code, message: (error as ApiError).message }).toMatchObject({ code, message: expect.stringContaining(message) });
  return error as ApiError;
}

/** The tricks of a config without one trick, as canonical JSON. */
function without(config: TrainingConfig, trick: string): string {
  const tricks: Record<string, unknown> = { ...config.tricks };
  delete tricks[trick];
  return JSON.stringify(Object.entries(tricks).sort(([a], [b]) => a.localeCompare(b)));
}

beforeAll(async () => {
  test = openSourceServices();
  api = test.services.api;
  test.services.events.on('onRunStatus', (e) => void statusEvents.push(e));
  test.services.events.on('onRunEpoch', (e) => void epochEvents.push(e));
  projectId = (await api.projects.create({ name: 'Groups' })).id;
  const started = await api.runs.start({ projectId, spec: tinySpec, dataset: tinyData, config: tinyConfig(4), backend: 'wasm', name: 'base' });
  base = await waitStatus(started.id, 'completed', 'failed');
  expect(base.error).toBeNull();
  expect(base.status).toBe('completed');
});

afterAll(async () => {
  await test?.close();
});

describe('runs.ablate', () => {
  it('queues one sibling per trick, each differing from the base in exactly that trick, same seed, grouped with the base', async () => {
    const before = statusEvents.length;
    const result = await api.runs.ablate({ runId: base.id, tricks: ['dropout', 'clipNorm'] });
    expect(result.runs).toHaveLength(2);
    expect(result.comparison).toMatchObject({ projectId, kind: 'ablation', baseRunId: base.id, lessonId: null, runIds: [base.id, ...result.runs.map((r) => r.id)] });
    expect(result.comparison.name).toBe('Ablation of base: dropout on, clipNorm on');
    expect(await api.comparisons.get({ id: result.comparison.id })).toEqual(result.comparison);
    const [dropout, clip] = result.runs as [Run, Run];
    for (const [run, trick] of [
      [dropout, 'dropout'],
      [clip, 'clipNorm'],
    ] as const) {
      expect(run.status).toBe('queued');
      expect(run).toMatchObject({ projectId, modelVersionId: base.modelVersionId, datasetId: base.datasetId, backend: base.backend, seed: base.seed });
      expect(run.config).toMatchObject({ epochs: base.config.epochs, batchSize: base.config.batchSize, seed: base.config.seed });
      expect(trick in base.config.tricks).toBe(false);
      expect(run.config.tricks).toHaveProperty(trick);
      expect(without(run.config, trick)).toBe(without(base.config, trick));
      expect(parseTrainingConfig(run.config).ok).toBe(true);
    }
    expect(dropout.name).toBe('base: dropout on');
    withDropout = dropout;
    // Pushed as they were queued.
    await until('the queued pushes', () => statusEvents.slice(before).filter((e) => e.status === 'queued').length >= 2);
    expect(statusEvents.slice(before).filter((e) => e.status === 'queued').map((e) => e.runId)).toEqual([dropout.id, clip.id]);
    for (const run of result.runs) await waitStatus(run.id, 'completed', 'failed');
  });

  it('switches a choice, turns an on trick off, and with seeds runs the base and every arm with seeds s … s+n−1, grouped per arm', async () => {
    const result = await api.runs.ablate({ runId: base.id, tricks: ['sgd'], seeds: 2, name: 'sgd vs adam' });
    const s = base.seed;
    expect(result.comparison.name).toBe('sgd vs adam');
    expect(result.runs.map((r) => [r.seed, Object.keys(r.config.tricks).sort().join()])).toEqual([
      [s + 1, 'adam'],
      [s, 'sgd'],
      [s + 1, 'sgd'],
    ]);
    expect(result.comparison.runIds).toEqual([base.id, ...result.runs.map((r) => r.id)]);
    for (const run of result.runs) await api.runs.stop({ id: run.id });

    const off = await api.runs.ablate({ runId: withDropout.id, tricks: ['dropout'] });
    expect(off.comparison.name).toBe('Ablation of base: dropout on: dropout off');
    expect(off.runs[0]!.config).toEqual(base.config);
    await api.runs.stop({ id: off.runs[0]!.id });
  });

  it('refuses an unknown run, an unknown trick, no change and too many seeds, naming the field, and stores nothing', async () => {
    const counts = rowCounts(test.store);
    const unknown = await rejects(api.runs.ablate({ runId: 98765, tricks: ['dropout'] }), 'not_found', 'runs.ablate: runId is not a run (run 98765 does not exist)');
    expect(unknown.details).toMatchObject({ errors: [{ path: 'runId' }] });
    const trick = await rejects(api.runs.ablate({ runId: base.id, tricks: ['dropout', 'warpDrive'] }), 'invalid_input', 'runs.ablate: tricks[1] is not a known trick');
    expect(trick.message).toContain('(got "warpDrive")');
    expect(trick.details).toMatchObject({ errors: [{ path: 'tricks[1]' }] });
    await rejects(api.runs.ablate({ runId: base.id, tricks: ['adam'] }), 'invalid_input', "runs.ablate: tricks[0] is already the base's optimizer: name another optimizer to switch to it (got \"adam\")");
    await rejects(api.runs.ablate({ runId: base.id, tricks: ['dropout'], seeds: 11 }), 'invalid_input', 'runs.ablate: seeds must be an integer in [1, 10] (got 11)');
    await rejects(api.runs.ablate({ runId: base.id, tricks: ['dropout', 'dropout'] }), 'invalid_input', 'runs.ablate: tricks must not list a trick twice');
    await rejects(api.runs.ablate({ runId: base.id, tricks: [] }), 'invalid_input', 'runs.ablate: tricks must list at least one trick');
    const many = ['dropout', 'clipNorm', 'clipValue', 'l1', 'l2', 'weightDecay', 'batchNorm', 'earlyStopping', 'lrCosine', 'lrStep'];
    await rejects(api.runs.ablate({ runId: base.id, tricks: many, seeds: 10 }), 'invalid_input', 'runs.ablate: seeds: 10 tricks × 10 seeds make 110 runs with the base; a comparison holds at most 100');
    expect(rowCounts(test.store)).toEqual(counts);
  });
});

describe('runs.repeat', () => {
  it('queues the base again with seeds s+1 and s+2, grouped (kind seeds) with it', async () => {
    const result = await api.runs.repeat({ runId: base.id, seeds: 3 });
    expect(result.runs.map((r) => r.seed)).toEqual([base.seed + 1, base.seed + 2]);
    expect(result.runs.map((r) => r.config.seed)).toEqual([base.seed + 1, base.seed + 2]);
    expect(result.runs.every((r) => r.status === 'queued' && r.modelVersionId === base.modelVersionId && r.datasetId === base.datasetId)).toBe(true);
    expect(result.runs.map((r) => ({ ...r.config, seed: 0 }))).toEqual([{ ...base.config, seed: 0 }, { ...base.config, seed: 0 }]);
    expect(result.comparison).toMatchObject({ kind: 'seeds', baseRunId: base.id, lessonId: null, runIds: [base.id, ...result.runs.map((r) => r.id)], name: 'base × 3 seeds' });
    for (const run of result.runs) await api.runs.stop({ id: run.id });
  });

  it('refuses 1 or 11 seeds and an unknown run', async () => {
    const counts = rowCounts(test.store);
    await rejects(api.runs.repeat({ runId: base.id, seeds: 11 }), 'invalid_input', 'runs.repeat: seeds must be an integer in [2, 10] (got 11)');
    await rejects(api.runs.repeat({ runId: base.id, seeds: 1 }), 'invalid_input', 'runs.repeat: seeds must be an integer in [2, 10] (got 1)');
    await rejects(api.runs.repeat({ runId: 4242, seeds: 3 }), 'not_found', 'runs.repeat: runId is not a run (run 4242 does not exist)');
    expect(rowCounts(test.store)).toEqual(counts);
  });
});

describe('runs.fork', () => {
  it('continues from the checkpoint in a new run: metrics up to its epoch copied, later epochs trained, same result as the source', async () => {
    const checkpoints = await api.checkpoints.list({ runId: base.id });
    const from = checkpoints[0]!;
    const fork = await api.runs.fork({ checkpointId: from.id });
    expect(fork).toMatchObject({ status: 'queued', modelVersionId: base.modelVersionId, datasetId: base.datasetId, config: base.config, seed: base.seed, name: `base from epoch ${from.epoch + 1}` });
    const copied = await api.metrics.series({ runId: fork.id, names: ['loss'] });
    expect(copied[0]!.epochs).toEqual(Array.from({ length: from.epoch + 1 }, (_, e) => e));
    expect((await api.checkpoints.list({ runId: fork.id })).map((c) => [c.epoch, c.weights.sha256])).toEqual([[from.epoch, from.weights.sha256]]);
    const done = await waitStatus(fork.id, 'completed', 'failed');
    expect(done.error).toBeNull();
    // Only the epochs after the checkpoint were trained; resuming is bit-identical, so the end is the source's.
    expect(epochEvents.filter((e) => e.runId === fork.id).map((e) => e.report.epoch)).toEqual(Array.from({ length: base.config.epochs - from.epoch - 1 }, (_, i) => from.epoch + 1 + i));
    const [sourceLoss] = await api.metrics.series({ runId: base.id, names: ['loss'] });
    const [forkLoss] = await api.metrics.series({ runId: fork.id, names: ['loss'] });
    expect(forkLoss).toEqual(sourceLoss);
    expect(done.finalMetrics!.testAccuracy).toBe(base.finalMetrics!.testAccuracy);
    expect(done.finalMetrics!.testLoss).toBe(base.finalMetrics!.testLoss);
    await rejects(api.runs.fork({ checkpointId: 777777 }), 'not_found', 'runs.fork: checkpointId is not a checkpoint (checkpoint 777777 does not exist)');
  });
});
