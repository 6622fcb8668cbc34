// The built-in lessons through the API: starting one queues every arm × seed as a run in the one Lessons project
// and a comparison of kind `lesson`; the verdict waits for every run, then maps each run to its arm and seed
// exactly (whatever the comparison's order) and judges from the recorded numbers. The queue is not started here,
// so the runs stay queued until the test finishes them with numbers of its own (tests/cli/lesson.test.ts trains
// a lesson for real).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type LayerwiseApi, type Run } from '../../shared/api/contract.js';
import { findLesson } from '../../shared/lessons/registry.js';
import { LESSONS_PROJECT } from '../../shared/lessons/lesson.js';
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
    expect(lessons.map((l) => l.letter).join('')).toBe('abcdefghij');
    const dropout = lessons.find((l) => l.id === 'dropout')!;
    expect(dropout).toMatchObject({ letter: 'c', arms: ['dropout 0', 'dropout 0.2', 'dropout 0.5'], runs: { small: 6, standard: 9 } });
    expect(dropout.plan.small.length).toBeGreaterThan(0);
  });
});

describe('lessons.start and lessons.verdict', () => {
  it('queues arms × seeds in the Lessons project; the verdict waits for every run and names what it judged', async () => {
    const started = await api.lessons.start({ lessonId: 'batch-norm', budget: 'small' });
    expect(started.project).toMatchObject({ name: LESSONS_PROJECT, notes: expect.stringContaining('layerwise lesson run ID') });
    expect(started.runs).toHaveLength(4);
    expect(started.runs.every((r) => r.status === 'queued' && r.projectId === started.project.id)).toBe(true);
    expect(started.runs.map((r) => [r.name, r.seed])).toEqual([
      ['b) no batch norm, seed 1', 1],
      ['b) no batch norm, seed 2', 2],
      ['b) batch norm, seed 1', 1],
      ['b) batch norm, seed 2', 2],
    ]);
    const plan = findLesson('batch-norm')!.plan('small');
    expect(started.runs.map((r) => r.config.tricks.batchNorm?.momentum ?? null)).toEqual([null, null, 0.9, 0.9]);
    expect(started.runs.map((r) => r.config.epochs)).toEqual([2, 2, 2, 2]);
    const datasets = await api.datasets.list({ projectId: started.project.id });
    expect(datasets.map((d) => d.source)).toEqual([plan.dataset]);
    expect(started.comparison).toMatchObject({ projectId: started.project.id, name: 'b) Batch norm on / off (small)', kind: 'lesson', lessonId: 'batch-norm', baseRunId: null, runIds: started.runs.map((r) => r.id) });
    expect((await api.queue.get()).pending).toEqual(started.runs.map((r) => r.id));

    const waiting = await api.lessons.verdict({ comparisonId: started.comparison.id });
    expect(waiting).toMatchObject({ lessonId: 'batch-norm', comparisonId: started.comparison.id, ready: false, appeared: null, judged: [], text: '4 of 4 runs still to finish' });
    expect(waiting.arms.map((a) => [a.label, a.runIds, a.mean])).toEqual([
      ['no batch norm', [started.runs[0]!.id, started.runs[1]!.id], null],
      ['batch norm', [started.runs[2]!.id, started.runs[3]!.id], null],
    ]);

    const [off1, off2, on1, on2] = started.runs as [Run, Run, Run, Run];
    finish(off1, 0.6);
    expect((await api.lessons.verdict({ comparisonId: started.comparison.id })).text).toBe('3 of 4 runs still to finish');
    finish(off2, 0.62);
    finish(on1, 0.85);
    finish(on2, 0.86);
    // Reordered by hand: the mapping comes from each run's setup, not from the order.
    await api.comparisons.update({ id: started.comparison.id, runIds: [on2.id, off1.id, on1.id, off2.id] });
    const verdict = await api.lessons.verdict({ comparisonId: started.comparison.id });
    expect(verdict).toMatchObject({ ready: true, appeared: true });
    expect(verdict.text).toContain('batch norm: +24.5 points test accuracy vs no batch norm after 2 epochs, 2 seeds (spread ±1.4 points).');
    expect(verdict.judged).toEqual([{ quantity: 'test accuracy after 2 epochs (mean over seeds)', against: '1.0 points, or 2 × the larger seed spread (±1.4 points) if larger', appeared: true }]);
    const byLabel = Object.fromEntries(verdict.arms.map((a) => [a.label, a]));
    // Each arm's runs in the comparison's order.
    expect(byLabel['no batch norm']).toMatchObject({ runIds: [off1.id, off2.id], seeds: 2, metric: 'testAccuracy' });
    expect(byLabel['no batch norm']!.mean).toBeCloseTo(0.61, 9);
    expect(byLabel['batch norm']).toMatchObject({ runIds: [on2.id, on1.id] });
    expect(byLabel['batch norm']!.mean).toBeCloseTo(0.855, 9);

    // A second lesson lands in the same project: one Lessons project, not one project per lesson.
    const second = await api.lessons.start({ lessonId: 'dropout', budget: 'small' });
    expect(second.project.id).toBe(started.project.id);
    expect(second.runs[0]!.name).toBe('c) dropout 0, seed 1');
    expect((await api.projects.list()).filter((p) => p.name === LESSONS_PROJECT)).toHaveLength(1);
  });

  it('the standard budget in a given project: every arm with three seeds, each run mapped to its arm and seed', async () => {
    const project = await api.projects.create({ name: 'My lessons' });
    const started = await api.lessons.start({ lessonId: 'batch-norm', budget: 'standard', projectId: project.id });
    expect(started.project).toEqual(project);
    expect(started.runs.map((r) => r.name)).toEqual(['no batch norm', 'batch norm'].flatMap((label) => [1, 2, 3].map((seed) => `b) ${label}, seed ${seed}`)));
    expect(started.runs.map((r) => r.seed)).toEqual([1, 2, 3, 1, 2, 3]);
    started.runs.slice(0, 5).forEach((run, i) => finish(run, 0.7 + 0.1 * Math.floor(i / 3) + 0.001 * (i % 3)));
    const waiting = await api.lessons.verdict({ comparisonId: started.comparison.id });
    expect(waiting).toMatchObject({ ready: false, text: '1 of 6 runs still to finish' });
    finish(started.runs[5]!, 0.8, 'diverged');
    const verdict = await api.lessons.verdict({ comparisonId: started.comparison.id });
    expect(verdict.ready).toBe(true);
    expect(verdict.arms.map((a) => [a.label, a.runIds])).toEqual([
      ['no batch norm', started.runs.slice(0, 3).map((r) => r.id)],
      ['batch norm', started.runs.slice(3, 6).map((r) => r.id)],
    ]);
    expect(verdict.arms[0]!.mean).toBeCloseTo(0.701, 9);
    expect(verdict.arms[0]!.seeds).toBe(3);
    expect(verdict.arms[1]!.seeds).toBe(2);
    expect(verdict.text).toContain('1 of 3 diverged, left out');
  });

  it('says so when the runs no longer match the lesson (made by an earlier design of it)', async () => {
    const started = await api.lessons.start({ lessonId: 'batch-norm', budget: 'small' });
    // Another comparison of kind lesson over runs of a different setup.
    const other = await api.lessons.start({ lessonId: 'clipping', budget: 'small' });
    for (const r of other.runs) finish(r, 0.5);
    await api.comparisons.update({ id: started.comparison.id, runIds: other.runs.map((r) => r.id) });
    const verdict = await api.lessons.verdict({ comparisonId: started.comparison.id });
    expect(verdict).toMatchObject({ ready: true, appeared: null, judged: [] });
    expect(verdict.text).toBe("None of these 6 runs matches the lesson's current plan (the lesson was redesigned after they ran): run the lesson again for a verdict.");
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
