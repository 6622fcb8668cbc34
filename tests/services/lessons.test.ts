// The built-in lessons through the API: starting one queues every arm × seed as a run and a comparison of
// kind `lesson`; the verdict waits for every run, then maps each run to its arm and seed exactly (whatever
// the comparison's order) and judges from the recorded numbers. The queue is not started here, so the runs
// stay queued until the test finishes them with numbers of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type LayerwiseApi, type Run } from '../../shared/api/contract.js';
import { findLesson } from '../../shared/lessons/registry.js';
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

/** Finishes a queued run as its trainer would have: per-epoch metrics, then the final ones. */
function finish(run: Run, testAccuracy: number, status: 'completed' | 'diverged' = 'completed'): void {
  const { store } = test;
  store.setRunStatus(run.id, 'running');
  store.appendMetrics(
    run.id,
    Array.from({ length: run.config.epochs }, (_, epoch) => [
      { name: 'valAccuracy', epoch, value: testAccuracy - 0.01 * (run.config.epochs - epoch) },
      { name: 'loss', epoch, value: 1 / (epoch + 1) },
    ]).flat(),
  );
  store.finishRun(run.id, { status, finalMetrics: { testAccuracy, valAccuracy: testAccuracy, epochs: run.config.epochs } });
}

describe('lessons.list', () => {
  it('lists every lesson with its arms and the runs each budget queues', async () => {
    const lessons = await api.lessons.list();
    expect(lessons.length).toBeGreaterThanOrEqual(9);
    const dropout = lessons.find((l) => l.id === 'dropout')!;
    expect(dropout).toMatchObject({ letter: 'c', arms: ['dropout 0', 'dropout 0.2', 'dropout 0.5'], runs: { small: 3, standard: 9 } });
    expect(dropout.plan.small.length).toBeGreaterThan(0);
  });
});

describe('lessons.start and lessons.verdict', () => {
  it('queues arms × seeds in a new project named after the lesson; the verdict waits for every run', async () => {
    const started = await api.lessons.start({ lessonId: 'dropout', budget: 'small' });
    expect(started.project.name).toBe('Lesson c: Dropout 0 / 0.2 / 0.5');
    expect(started.runs).toHaveLength(3);
    expect(started.runs.every((r) => r.status === 'queued' && r.projectId === started.project.id)).toBe(true);
    expect(started.runs.map((r) => [r.name, r.seed])).toEqual([
      ['dropout 0, seed 1', 1],
      ['dropout 0.2, seed 1', 1],
      ['dropout 0.5, seed 1', 1],
    ]);
    const plan = findLesson('dropout')!.plan('small');
    expect(started.runs.map((r) => r.config.tricks.dropout?.rate ?? null)).toEqual([null, 0.2, 0.5]);
    expect(started.runs.map((r) => r.config.epochs)).toEqual(plan.arms.map((a) => a.config.epochs));
    const datasets = await api.datasets.list({ projectId: started.project.id });
    expect(datasets.map((d) => d.source)).toEqual([plan.dataset]);
    expect(started.comparison).toMatchObject({ projectId: started.project.id, kind: 'lesson', lessonId: 'dropout', baseRunId: null, runIds: started.runs.map((r) => r.id) });
    expect((await api.queue.get()).pending).toEqual(started.runs.map((r) => r.id));

    const waiting = await api.lessons.verdict({ comparisonId: started.comparison.id });
    expect(waiting).toMatchObject({ lessonId: 'dropout', comparisonId: started.comparison.id, ready: false, appeared: null, text: '3 of 3 runs still to finish' });
    expect(waiting.arms.map((a) => [a.label, a.runIds, a.mean])).toEqual([
      ['dropout 0', [started.runs[0]!.id], null],
      ['dropout 0.2', [started.runs[1]!.id], null],
      ['dropout 0.5', [started.runs[2]!.id], null],
    ]);

    const [none, low, high] = started.runs as [Run, Run, Run];
    finish(none, 0.9);
    expect((await api.lessons.verdict({ comparisonId: started.comparison.id })).text).toBe('2 of 3 runs still to finish');
    finish(low, 0.93);
    finish(high, 0.95);
    // Reordered by hand: the mapping comes from each run's setup, not from the order.
    await api.comparisons.update({ id: started.comparison.id, runIds: [high.id, none.id, low.id] });
    const verdict = await api.lessons.verdict({ comparisonId: started.comparison.id });
    expect(verdict.ready).toBe(true);
    expect(typeof verdict.appeared).toBe('boolean');
    expect(verdict.text.length).toBeGreaterThan(0);
    const byLabel = Object.fromEntries(verdict.arms.map((a) => [a.label, a]));
    expect(byLabel['dropout 0']).toMatchObject({ runIds: [none.id], seeds: 1, metric: 'testAccuracy' });
    expect(byLabel['dropout 0']!.mean).toBeCloseTo(0.9, 9);
    expect(byLabel['dropout 0.2']).toMatchObject({ runIds: [low.id] });
    expect(byLabel['dropout 0.2']!.mean).toBeCloseTo(0.93, 9);
    expect(byLabel['dropout 0.5']).toMatchObject({ runIds: [high.id] });
    expect(byLabel['dropout 0.5']!.mean).toBeCloseTo(0.95, 9);
  });

  it('the standard budget in a given project: every arm with three seeds, each run mapped to its arm and seed', async () => {
    const project = await api.projects.create({ name: 'My lessons' });
    const started = await api.lessons.start({ lessonId: 'dropout', budget: 'standard', projectId: project.id });
    expect(started.project).toEqual(project);
    expect(started.runs.map((r) => r.name)).toEqual(
      ['dropout 0', 'dropout 0.2', 'dropout 0.5'].flatMap((label) => [1, 2, 3].map((seed) => `${label}, seed ${seed}`)),
    );
    expect(started.runs.map((r) => r.seed)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
    started.runs.slice(0, 8).forEach((run, i) => finish(run, 0.9 + 0.01 * Math.floor(i / 3) + 0.001 * (i % 3)));
    const waiting = await api.lessons.verdict({ comparisonId: started.comparison.id });
    expect(waiting).toMatchObject({ ready: false, text: '1 of 9 runs still to finish' });
    finish(started.runs[8]!, 0.922, 'diverged');
    const verdict = await api.lessons.verdict({ comparisonId: started.comparison.id });
    expect(verdict.ready).toBe(true);
    expect(verdict.arms.map((a) => [a.label, a.runIds])).toEqual([
      ['dropout 0', started.runs.slice(0, 3).map((r) => r.id)],
      ['dropout 0.2', started.runs.slice(3, 6).map((r) => r.id)],
      ['dropout 0.5', started.runs.slice(6, 9).map((r) => r.id)],
    ]);
    expect(verdict.arms[0]!.mean).toBeCloseTo(0.901, 9);
    expect(verdict.arms[0]!.seeds).toBe(3);
  });

  it('refuses an unknown lesson and a comparison that is not a lesson, naming the field', async () => {
    const unknown = await api.lessons.start({ lessonId: 'telepathy' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ApiError);
    expect(unknown).toMatchObject({ code: 'not_found', message: expect.stringContaining('lessons.start: lessonId is not a lesson (got "telepathy"; known: init-scale,') });
    const project = await api.projects.create({ name: 'Manual' });
    const manual = await api.comparisons.save({ projectId: project.id, name: 'by hand', runIds: [] });
    expect(manual).toMatchObject({ kind: 'manual', baseRunId: null, lessonId: null });
    await expect(api.lessons.verdict({ comparisonId: manual.id })).rejects.toMatchObject({
      code: 'invalid_input',
      message: `lessons.verdict: comparisonId is not a lesson's comparison (comparison ${manual.id} is of kind manual)`,
    });
    await expect(api.lessons.verdict({ comparisonId: 9999 })).rejects.toMatchObject({ code: 'not_found', message: 'comparison 9999 does not exist' });
    await expect(api.lessons.start({ lessonId: 'dropout', projectId: 9999 })).rejects.toMatchObject({ code: 'not_found', message: 'project 9999 does not exist' });
  });
});
