// The built-in lessons (shared/lessons): each claim of the training-tricks note tested by a small ablation.
// `lessons.start` queues every arm × seed as a real run in the one Lessons project (unless the caller names a
// project) and groups them in a comparison of kind `lesson`; `lessons.verdict` reads the runs' recorded
// numbers back and hands them to the lesson's verdict function. The studio and `layerwise lesson` both come here.
//
// Which arm and seed a run is: the seed is the run's own; the arm is the one whose spec and config (seed
// aside) the run has, so the mapping is exact even after the comparison's runs are reordered. The budget
// (small or standard) is the one whose plan all the runs fit.
import {
  ApiError,
  LESSON_BUDGETS,
  type LessonBudget,
  type LessonInfo,
  type LessonVerdict,
  type Project,
  type RunGroupResult,
} from '../../shared/api/contract.js';
import { canonicalJson } from '../../shared/analysis/canonical.js';
import { isOutcomeRunStatus, parseTrainingConfig, type ModelSpec, type TrainingConfig } from '../../shared/index.js';
import { LESSONS_PROJECT, LESSONS_PROJECT_NOTES, type Lesson, type LessonPlan, type LessonRunNumbers } from '../../shared/lessons/lesson.js';
import type { RunQueue } from '../runs/queue.js';
import type { Run, Store } from '../store/index.js';
import { runDto } from '../runs/dto.js';
import { clip, fieldError } from './groups.js';
import { splitOf } from '../runs/recorder.js';

export interface LessonContext {
  store: Store;
  queue: RunQueue;
}

/** Budget used when lessons.start names none. */
export const DEFAULT_LESSON_BUDGET: LessonBudget = 'standard';

/** The lessons' registry, loaded on first use (a host that never opens a lesson never loads them). */
const registry = () => import('../../shared/lessons/registry.js');

export async function listLessons(): Promise<LessonInfo[]> {
  const { LESSONS, lessonInfo } = await registry();
  return LESSONS.map((lesson) => lessonInfo(lesson));
}

async function lessonOr404(method: string, field: string, id: string): Promise<Lesson> {
  const { findLesson, LESSONS } = await registry();
  const lesson = findLesson(id);
  if (!lesson) throw fieldError(method, field, `is not a lesson (got ${JSON.stringify(id)}; known: ${LESSONS.map((l) => l.info.id).join(', ')})`, 'not_found');
  return lesson;
}

/** A run's name in a lesson: the lesson's letter (the Lessons project holds every lesson's runs), the arm and the seed. */
function lessonRunName(lesson: Lesson, label: string, seed: number): string {
  return clip(`${lesson.info.letter}) ${label}, seed ${seed}`);
}

/** The Lessons project: the oldest project of that name, made (with its notes) on first use. */
function lessonsProject(store: Store): Project {
  const existing = store
    .listProjects()
    .filter((p) => p.name === LESSONS_PROJECT)
    .sort((a, b) => a.id - b.id)[0];
  return existing ?? store.createProject({ name: LESSONS_PROJECT, notes: LESSONS_PROJECT_NOTES });
}

export async function startLesson(
  ctx: LessonContext,
  input: { lessonId: string; budget?: LessonBudget; projectId?: number },
): Promise<RunGroupResult & { project: Project }> {
  const { store, queue } = ctx;
  const lesson = await lessonOr404('lessons.start', 'lessonId', input.lessonId);
  const budget = input.budget ?? DEFAULT_LESSON_BUDGET;
  const plan = lesson.plan(budget);
  if (input.projectId !== undefined) store.getProject(input.projectId);
  const { project, runs, comparison } = store.tx(() => {
    const project = input.projectId !== undefined ? store.getProject(input.projectId) : lessonsProject(store);
    const dataset = store.saveDataset(project.id, { source: plan.dataset, split: splitOf(plan.dataset) });
    const runs: Run[] = [];
    for (const arm of plan.arms) {
      const version = store.saveModelVersion(project.id, arm.spec);
      for (const seed of plan.seeds) {
        runs.push(
          store.createRun({
            projectId: project.id,
            modelVersionId: version.id,
            datasetId: dataset.id,
            config: { ...arm.config, seed },
            backend: 'auto',
            name: lessonRunName(lesson, arm.label, seed),
            status: 'queued',
          }),
        );
      }
    }
    const comparison = store.saveComparison({
      projectId: project.id,
      name: clip(`${lesson.info.letter}) ${lesson.info.title} (${budget})`),
      notes: lesson.info.claim,
      runIds: runs.map((r) => r.id),
      kind: 'lesson',
      lessonId: lesson.info.id,
    });
    return { project, runs, comparison };
  });
  for (const run of runs) queue.enqueue(run);
  return { project, comparison, runs: runs.map((r) => runDto(store.getRun(r.id))) };
}

/** Everything of a config but its seed, canonical (defaults filled in). */
function setupKey(spec: ModelSpec, config: TrainingConfig): string {
  const parsed = parseTrainingConfig(config);
  const full = parsed.ok ? parsed.value : config;
  return canonicalJson({ spec, config: { ...full, seed: 0 } });
}

interface Matched {
  budget: LessonBudget;
  plan: LessonPlan;
  /** Per run (in comparison order): its arm index, or -1 when it is no arm of the plan. */
  arms: number[];
}

/** The budget whose plan the runs fit best, and each run's arm. */
function matchRuns(store: Store, lesson: Lesson, runs: readonly Run[]): Matched {
  const keys = runs.map((run) => setupKey(store.getModelVersion(run.modelVersionId).spec, run.config));
  let best: (Matched & { score: number }) | null = null;
  for (const budget of LESSON_BUDGETS) {
    const plan = lesson.plan(budget);
    const armKeys = plan.arms.map((arm) => setupKey(arm.spec, arm.config));
    const arms = keys.map((key, i) => {
      const arm = armKeys.indexOf(key);
      return arm >= 0 && plan.seeds.includes(runs[i]!.seed) ? arm : -1;
    });
    const matched = arms.filter((a) => a >= 0).length;
    // Every run placed, then the plan's size equal to the comparison's.
    const score = matched * 2 + (plan.arms.length * plan.seeds.length === runs.length ? 1 : 0);
    if (!best || score > best.score) best = { budget, plan, arms, score };
  }
  return best!;
}

/** Per-epoch values of the series whose names start with one of `prefixes` (index = epoch; NaN → null). */
function epochSeries(store: Store, runId: number, prefixes: readonly string[]): Record<string, (number | null)[]> {
  const names = store.metricNames(runId).filter((name) => prefixes.some((p) => name.startsWith(p)));
  const out: Record<string, (number | null)[]> = {};
  if (names.length === 0) return out;
  for (const series of store.metricSeries(runId, names)) {
    const values: (number | null)[] = [];
    series.epochs.forEach((epoch, i) => {
      if (series.steps[i] !== null) return;
      while (values.length < epoch) values.push(null);
      const v = series.values[i]!;
      values[epoch] = Number.isFinite(v) ? v : null;
    });
    if (values.length) out[series.name] = values;
  }
  return out;
}

export async function lessonVerdict(ctx: LessonContext, input: { comparisonId: number }): Promise<LessonVerdict> {
  const { store } = ctx;
  const method = 'lessons.verdict';
  const comparison = store.getComparison(input.comparisonId);
  if (comparison.kind !== 'lesson' || comparison.lessonId === null) {
    throw fieldError(method, 'comparisonId', `is not a lesson's comparison (comparison ${comparison.id} is of kind ${comparison.kind})`);
  }
  const lesson = await lessonOr404(method, 'comparisonId', comparison.lessonId);
  const runs = comparison.runIds.map((id) => store.getRun(id));
  const { plan, arms: armOf } = matchRuns(store, lesson, runs);
  const runIdsOf = (arm: number) => runs.filter((_, i) => armOf[i] === arm).map((r) => r.id);
  // A verdict waits for every run's outcome; a failed run has none and must be started again.
  const left = runs.filter((r) => !isOutcomeRunStatus(r.status));
  const metric = lesson.metrics[0] ?? '';
  const base = { lessonId: lesson.info.id, comparisonId: comparison.id };
  if (left.length > 0 || runs.length === 0) {
    const failed = left.filter((r) => r.status === 'failed');
    const text =
      runs.length === 0
        ? 'the comparison has no runs'
        : `${left.length} of ${runs.length} runs still to finish${failed.length ? ` (${failed.map((r) => `run ${r.id}`).join(', ')} failed: start ${failed.length === 1 ? 'it' : 'them'} again)` : ''}`;
    return {
      ...base,
      ready: false,
      appeared: null,
      text,
      judged: [],
      arms: plan.arms.map((arm, i) => ({ label: arm.label, runIds: runIdsOf(i), metric, mean: null, spread: null, seeds: runIdsOf(i).length })),
    };
  }
  if (armOf.every((a) => a < 0)) {
    return {
      ...base,
      ready: true,
      appeared: null,
      text: `None of these ${runs.length} runs matches the lesson's current plan (the lesson was redesigned after they ran): run the lesson again for a verdict.`,
      judged: [],
      arms: plan.arms.map((arm) => ({ label: arm.label, runIds: [], metric, mean: null, spread: null, seeds: 0 })),
    };
  }
  const numbers: LessonRunNumbers[] = [];
  runs.forEach((run, i) => {
    if (armOf[i]! < 0) return;
    numbers.push({ arm: armOf[i]!, seed: run.seed, status: run.status, finalMetrics: run.finalMetrics, series: epochSeries(store, run.id, lesson.metrics) });
  });
  let result;
  try {
    result = lesson.verdict(numbers, plan);
  } catch (error) {
    throw new ApiError('internal', `${method}: the ${lesson.info.id} lesson's verdict failed: ${(error as Error).message}`, { comparisonId: comparison.id });
  }
  return {
    ...base,
    ready: true,
    appeared: result.appeared,
    text: result.text,
    judged: result.judged,
    arms: result.arms.map((arm, i) => {
      const index = plan.arms.findIndex((a) => a.label === arm.label);
      return { ...arm, runIds: runIdsOf(index >= 0 ? index : i) };
    }),
  };
}
