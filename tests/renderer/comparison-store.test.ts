// @vitest-environment happy-dom
// The comparison store: runs opened together, only the differing config fields, a summary per run, seed
// groups as bands, live epochs coalesced per frame, saving with notes, and a lesson's verdict kept current.
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { Comparison, RunListItem } from '../../shared/api/index.js';
import { setApi } from '../../renderer/src/api/client.js';
import { useComparisonStore } from '../../renderer/src/stores/comparison.js';
import { installFakeApi, nextFrame } from './support/fake-api.js';
import { config, MLP_SPEC, report, run, series } from './support/fixtures.js';

beforeEach(() => setActivePinia(createPinia()));

function fake(runs: RunListItem[], extra: Record<string, (input: never) => unknown> = {}) {
  return installFakeApi({
    'runs.list': () => runs,
    'datasets.list': () => [{ id: 20, projectId: 1, name: 'MNIST', source: { kind: 'mnist' }, split: {}, fingerprint: 'f', createdAt: '' }],
    'models.get': () => ({ id: 10, projectId: 1, parentId: null, name: 'MNIST MLP', spec: MLP_SPEC, hash: 'h', createdAt: '' }),
    'metrics.curves': ({ runIds }: { runIds: number[] }) =>
      runIds.map((id) => ({ runId: id, series: [series('valAccuracy', [0.8, 0.85 + id / 100, 0.84]), series('seconds', [2, 3, 4]), series('loss', [1, 0.5, 0.4])] })),
    'runs.report': ({ id }: { id: number }) => report(id, { parameters: 1000 * id }),
    'spec.check': () => ({ ok: true, errors: [], info: { totalParams: 5 }, expanded: null }),
    ...extra,
  } as never);
}

const twoRuns = () => [run(1), run(2, { config: config({ dropout: { rate: 0.5 } }) })];

describe('comparison store', () => {
  it('overlays two runs that differ only in dropout: two lines, exactly one diff row `dropout`, a summary per run', async () => {
    fake(twoRuns());
    const store = useComparisonStore();
    await store.open(1, [1, 2]);
    expect(store.lines.map((l) => l.runIds)).toEqual([[1], [2]]);
    expect(store.lines[0]!.color).not.toBe(store.lines[1]!.color);
    expect(store.banded).toBe(false);
    expect(store.diff.map((r) => r.field)).toEqual(['dropout']);
    const row = store.summary.find((r) => r.runId === 2)!;
    expect(row.bestValAccuracy).toBeCloseTo(0.87);
    expect(row.bestEpoch).toBe(2);
    expect(row.testAccuracy).toBe(0.87);
    expect(row.seconds).toBe(9);
    expect(row.parameters).toBe(2000);
    expect(row.backend).toBe('wasm');
    store.metric = 'loss';
    expect(store.lines[0]!.points).toEqual([
      [1, 1],
      [2, 0.5],
      [3, 0.4],
    ]);
    setApi(null);
  });

  it('applies live epochs once per animation frame and refreshes a run when it finishes', async () => {
    const api = fake([run(1, { status: 'running', finishedAt: null, finalMetrics: null }), run(2, { config: config({ dropout: { rate: 0.5 } }) })]);
    const store = useComparisonStore();
    await store.open(1, [1, 2]);
    const before = store.lines[0]!.points!.length;
    const epoch = (e: number, acc: number) => ({
      runId: 1,
      report: { epoch: e, epochs: 5, metrics: { loss: 0.3, accuracy: 0.9, valLoss: 0.3, valAccuracy: acc, learningRate: 0.001, seconds: 1, samplesPerSecond: 100 }, steps: [], layers: [], best: false },
    });
    api.hub.emit('onRunEpoch', epoch(3, 0.9));
    api.hub.emit('onRunEpoch', epoch(4, 0.91));
    api.hub.emit('onRunEpoch', { ...epoch(0, 0.5), runId: 99 });
    expect(store.lines[0]!.points!.length).toBe(before);
    await nextFrame();
    expect(store.lines[0]!.points!.slice(-2)).toEqual([
      [4, 0.9],
      [5, 0.91],
    ]);
    expect(store.series[99]).toBeUndefined();
    // Parameters come from the spec while the run trains, from its report once it has finished.
    expect(store.parameters[1]).toBe(5);
    api.hub.emit('onRunStatus', { runId: 1, status: 'completed', run: run(1) });
    await nextFrame();
    expect(store.runs[1]!.status).toBe('completed');
    expect(store.parameters[1]).toBe(1000);
    expect(store.finished).toBe(2);
    setApi(null);
  });

  it('shows runs that differ only in their seed as one band per group', async () => {
    fake([run(1), run(2, { config: config({}, 2) }), run(3, { config: config({ dropout: { rate: 0.5 } }) }), run(4, { config: config({ dropout: { rate: 0.5 } }, 2) })]);
    const store = useComparisonStore();
    await store.open(1, [1, 2, 3, 4]);
    expect(store.groups).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(store.banded).toBe(true);
    const band = store.lines[0]!.band!;
    expect(band.x).toEqual([1, 2, 3]);
    expect(band.min[1]).toBeCloseTo(0.86);
    expect(band.max[1]).toBeCloseTo(0.87);
    expect(band.mean[1]).toBeCloseTo(0.865);
    expect(store.diff.map((r) => r.field)).toEqual(['seed', 'dropout']);
    setApi(null);
  });

  it('saves a named comparison with notes, then updates it, and lists it for the project', async () => {
    let savedRow: Comparison | null = null;
    const api = fake(twoRuns(), {
      'comparisons.save': (input: { name: string; notes: string; runIds: number[] }) =>
        (savedRow = { id: 5, projectId: 1, kind: 'manual', baseRunId: null, lessonId: null, createdAt: '', updatedAt: '', ...input }),
      'comparisons.update': (input: { name: string; notes: string }) => (savedRow = { ...savedRow!, ...input }),
      'comparisons.list': () => (savedRow ? [savedRow] : []),
      'comparisons.get': () => savedRow,
    });
    const store = useComparisonStore();
    await store.open(1, [1, 2]);
    await store.save('Dropout or not', 'dropout 0.5 vs none');
    expect(api.called('comparisons.save')[0]!.input).toEqual({ projectId: 1, name: 'Dropout or not', notes: 'dropout 0.5 vs none', runIds: [1, 2] });
    expect(store.comparison?.id).toBe(5);
    expect(store.saved.map((c) => c.name)).toEqual(['Dropout or not']);
    await store.save('Dropout or not', 'it helped a little');
    expect(api.called('comparisons.update')[0]!.input).toMatchObject({ id: 5, notes: 'it helped a little' });
    store.close();
    await store.openSaved(5);
    expect(store.runIds).toEqual([1, 2]);
    expect(store.comparison?.notes).toBe('it helped a little');
    setApi(null);
  });

  it('keeps a lesson\'s verdict current as its runs finish', async () => {
    let calls = 0;
    const lesson: Comparison = { id: 8, projectId: 1, name: 'Lesson c', notes: '', runIds: [1, 2], kind: 'lesson', baseRunId: null, lessonId: 'dropout', createdAt: '', updatedAt: '' };
    const api = fake([run(1), run(2, { status: 'running', finishedAt: null })], {
      'lessons.verdict': () => {
        calls++;
        return { lessonId: 'dropout', comparisonId: 8, ready: calls > 1, appeared: calls > 1 ? true : null, text: calls > 1 ? 'dropout 0.5: +0.8 points' : '1 run left', arms: [] };
      },
    });
    const store = useComparisonStore();
    await store.open(1, [1, 2], lesson);
    expect(store.verdict?.ready).toBe(false);
    api.hub.emit('onRunStatus', { runId: 2, status: 'completed', run: run(2) });
    await new Promise((r) => setTimeout(r, 400));
    expect(store.verdict?.ready).toBe(true);
    expect(store.verdict?.text).toContain('+0.8');
    store.close();
    setApi(null);
  });
});
