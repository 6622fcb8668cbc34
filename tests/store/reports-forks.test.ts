// Schema 5 in the store: a finished run's test report, comparisons that say how they were made, and forks
// ("resume from here": a new queued run with the source's metrics up to the checkpoint and a copy of it).
import { describe, expect, it } from 'vitest';
import { Store, StoreError, type RunReport } from '../../core/store/index.js';
import { bytes, seedProject, tempDir } from './support/helpers.js';

function report(extra: Partial<RunReport> = {}): Omit<RunReport, 'runId'> {
  return {
    classNames: ['0', '1', '2'],
    inputShape: [2],
    confusion: [
      [3, 1, 0],
      [0, 4, 0],
      [1, 0, 5],
    ],
    misclassified: [
      { index: 2, label: 0, predicted: 1, confidence: 0.75, features: [0.25, -3] },
      { index: 9, label: 2, predicted: 0, confidence: 0.5, features: [1, 2] },
    ],
    misclassifiedCount: 2,
    bestEpoch: 4,
    weights: 'best',
    parameters: 259,
    ...extra,
  };
}

function expectStoreError(fn: () => unknown, code: string, message: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe(code);
  expect((error as StoreError).message).toContain(message);
}

describe('run reports', () => {
  it('finishRun keeps the report with the outcome; it reads back exactly, and goes with the run', () => {
    const store = Store.open(tempDir('report'));
    try {
      const { newRun } = seedProject(store);
      const run = newRun({ status: 'running' });
      expect(store.getRunReport(run.id)).toBeNull();
      store.finishRun(run.id, { status: 'completed', finalMetrics: { testAccuracy: 0.8 }, report: report() });
      expect(store.getRunReport(run.id)).toEqual({ ...report(), runId: run.id });
      // Replaced, not duplicated.
      store.saveRunReport(run.id, report({ misclassifiedCount: 7 }));
      expect(store.getRunReport(run.id)!.misclassifiedCount).toBe(7);
      expect(store.sqlite.prepare('SELECT count(*) FROM run_reports').pluck().get()).toBe(1);
      store.deleteRun(run.id);
      expect(store.sqlite.prepare('SELECT count(*) FROM run_reports').pluck().get()).toBe(0);
      expectStoreError(() => store.getRunReport(run.id), 'RunNotFound', `run ${run.id} does not exist`);
    } finally {
      store.close();
    }
  });

  it('a run resumed after it stopped loses its old report (it will get a new one)', () => {
    const store = Store.open(tempDir('report-resume'));
    try {
      const { newRun } = seedProject(store);
      const run = newRun({ status: 'running' });
      store.finishRun(run.id, { status: 'stopped', finalMetrics: { loss: 1 }, report: report() });
      store.beginResume(run.id);
      expect(store.getRunReport(run.id)).toBeNull();
    } finally {
      store.close();
    }
  });

  it('refuses a report that is not one', () => {
    const store = Store.open(tempDir('report-bad'));
    try {
      const { newRun } = seedProject(store);
      const run = newRun();
      expectStoreError(() => store.saveRunReport(run.id, { ...report(), misclassified: null as never }), 'InvalidInput', 'the run report needs classNames, inputShape and misclassified arrays');
      expectStoreError(() => store.saveRunReport(999, report()), 'RunNotFound', 'run 999 does not exist');
    } finally {
      store.close();
    }
  });
});

describe('comparison kinds', () => {
  it('keeps kind, base run and lesson; a deleted base run leaves the comparison without one', () => {
    const store = Store.open(tempDir('cmp-kind'));
    try {
      const { project, newRun } = seedProject(store);
      const [a, b, c] = [newRun(), newRun(), newRun()];
      const manual = store.saveComparison({ projectId: project.id, name: 'by hand', runIds: [a.id, b.id] });
      expect(manual).toMatchObject({ kind: 'manual', baseRunId: null, lessonId: null });
      const ablation = store.saveComparison({ projectId: project.id, name: 'ablation', runIds: [a.id, b.id, c.id], kind: 'ablation', baseRunId: a.id });
      expect(ablation).toMatchObject({ kind: 'ablation', baseRunId: a.id, runIds: [a.id, b.id, c.id] });
      const lesson = store.saveComparison({ projectId: project.id, name: 'Lesson', runIds: [b.id, c.id], kind: 'lesson', lessonId: 'dropout' });
      expect(store.getComparison(lesson.id)).toMatchObject({ kind: 'lesson', lessonId: 'dropout', baseRunId: null });
      // Editing the runs keeps how it was made.
      expect(store.updateComparison(ablation.id, { runIds: [a.id, c.id] })).toMatchObject({ kind: 'ablation', baseRunId: a.id });
      store.deleteRun(a.id);
      expect(store.getComparison(ablation.id)).toMatchObject({ kind: 'ablation', baseRunId: null, runIds: [c.id] });
    } finally {
      store.close();
    }
  });

  it('refuses an unknown kind, a base run outside the comparison and a bad lesson id', () => {
    const store = Store.open(tempDir('cmp-bad'));
    try {
      const { project, newRun } = seedProject(store);
      const [a, b] = [newRun(), newRun()];
      expectStoreError(() => store.saveComparison({ projectId: project.id, name: 'x', runIds: [a.id], kind: 'magic' as never }), 'InvalidInput', 'comparison kind must be one of manual, ablation, seeds, lesson (got "magic")');
      expectStoreError(() => store.saveComparison({ projectId: project.id, name: 'x', runIds: [a.id], baseRunId: b.id }), 'InvalidInput', `the base run ${b.id} must be one of the comparison's runs`);
      expectStoreError(() => store.saveComparison({ projectId: project.id, name: 'x', runIds: [a.id], kind: 'lesson', lessonId: '' }), 'InvalidInput', 'lessonId must be a non-empty string');
      expect(store.listComparisons(project.id)).toEqual([]);
    } finally {
      store.close();
    }
  });
});

describe('forks', () => {
  function trainedRun(store: Store) {
    const seeded = seedProject(store);
    const run = seeded.newRun({ name: 'baseline', status: 'running' });
    store.appendMetrics(run.id, [
      ...Array.from({ length: 10 }, (_, e) => ({ name: 'loss', epoch: e, value: 1 / (e + 1) })),
      ...Array.from({ length: 10 }, (_, e) => ({ name: 'valAccuracy', epoch: e, value: e / 10 })),
      ...Array.from({ length: 100 }, (_, s) => ({ name: 'step.loss', epoch: Math.floor(s / 10), step: s, value: s })),
    ]);
    const at4 = store.saveCheckpoint(run.id, { epoch: 4, kind: 'best', weights: bytes(500, 1), optimizer: bytes(900, 2), manifest: { format: 1, epoch: 4, kind: 'best' } });
    const at9 = store.saveCheckpoint(run.id, { epoch: 9, kind: 'last', weights: bytes(500, 3), optimizer: bytes(900, 4), manifest: { format: 1, epoch: 9, kind: 'last' } });
    store.finishRun(run.id, { status: 'completed', finalMetrics: { loss: 0.1 }, report: report() });
    return { ...seeded, run: store.getRun(run.id), at4, at9 };
  }

  it('makes a queued run with the same model, data, config and seed, the metrics up to the epoch and the checkpoint', () => {
    const store = Store.open(tempDir('fork'));
    try {
      const { run, at4 } = trainedRun(store);
      const fork = store.forkRun(at4.id);
      expect(fork).toMatchObject({
        status: 'queued',
        projectId: run.projectId,
        modelVersionId: run.modelVersionId,
        datasetId: run.datasetId,
        config: run.config,
        seed: run.seed,
        presetId: run.presetId,
        name: 'baseline from epoch 5',
        finalMetrics: null,
        startedAt: null,
      });
      expect(fork.id).not.toBe(run.id);
      // Metrics of epochs 0..4 only, per-step points included.
      const series = Object.fromEntries(store.metricSeries(fork.id).map((s) => [s.name, s]));
      expect(series.loss!.epochs).toEqual([0, 1, 2, 3, 4]);
      expect(series.loss!.values).toEqual([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5]);
      expect(series.valAccuracy!.epochs).toEqual([0, 1, 2, 3, 4]);
      expect(series['step.loss']!.steps).toEqual(Array.from({ length: 50 }, (_, s) => s));
      // The checkpoint, bytes and all, belongs to the fork; the source keeps its own.
      const [copied, ...others] = store.listCheckpoints(fork.id);
      expect(others).toEqual([]);
      expect(copied).toMatchObject({ runId: fork.id, epoch: 4, kind: 'best', manifest: at4.manifest, weights: at4.weights, optimizer: at4.optimizer });
      const data = store.latestCheckpoint(fork.id)!;
      expect(Buffer.from(data.weights).equals(Buffer.from(bytes(500, 1)))).toBe(true);
      expect(Buffer.from(data.optimizer).equals(Buffer.from(bytes(900, 2)))).toBe(true);
      expect(store.listCheckpoints(run.id)).toHaveLength(2);
      expect(store.metricSeries(run.id).find((s) => s.name === 'loss')!.epochs).toHaveLength(10);
      expect(store.getRunReport(fork.id)).toBeNull();
      expect(store.forkRun(at4.id, { name: 'again' }).name).toBe('again');
    } finally {
      store.close();
    }
  });

  it('is all or nothing: a damaged checkpoint is refused and nothing is written', () => {
    const store = Store.open(tempDir('fork-bad'));
    try {
      const { at9 } = trainedRun(store);
      const before = store.listRuns().length;
      store.sqlite.prepare('UPDATE checkpoint_blobs SET weights = ? WHERE checkpoint_id = ?').run(Buffer.from(bytes(500, 99)), at9.id);
      expectStoreError(() => store.forkRun(at9.id), 'CheckpointCorrupt', 'weights: sha256');
      expect(store.listRuns()).toHaveLength(before);
      expect(store.sqlite.prepare('SELECT count(*) FROM checkpoints').pluck().get()).toBe(2);
      expectStoreError(() => store.forkRun(12345), 'CheckpointNotFound', 'checkpoint 12345 does not exist');
    } finally {
      store.close();
    }
  });
});
