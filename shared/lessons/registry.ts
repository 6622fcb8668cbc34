// Every built-in lesson, listed explicitly in the note's order (a–i), then input scaling (j, the note's first
// point, added later): adding one means its file and one line.
import type { LessonBudget, LessonInfo } from '../api/entities.js';
import { LESSON_BUDGETS } from '../api/entities.js';
import type { Lesson } from './lesson.js';
import { initScaleLesson } from './defs/init-scale.js';
import { batchNormLesson } from './defs/batch-norm.js';
import { dropoutLesson } from './defs/dropout.js';
import { earlyStoppingLesson } from './defs/early-stopping.js';
import { clippingLesson } from './defs/clipping.js';
import { lrDecayLesson } from './defs/lr-decay.js';
import { optimizerRaceLesson } from './defs/optimizer-race.js';
import { ensembleLesson } from './defs/ensemble.js';
import { residualLesson } from './defs/residual.js';
import { inputScalingLesson } from './defs/input-scaling.js';

export const LESSONS: readonly Lesson[] = [
  initScaleLesson,
  batchNormLesson,
  dropoutLesson,
  earlyStoppingLesson,
  clippingLesson,
  lrDecayLesson,
  optimizerRaceLesson,
  ensembleLesson,
  residualLesson,
  inputScalingLesson,
];

const byId = new Map(LESSONS.map((l) => [l.info.id, l]));

export function findLesson(id: string): Lesson | undefined {
  return byId.get(id);
}

/** The lesson as listed: its arms' labels (the standard plan's) and the runs each budget queues. */
export function lessonInfo(lesson: Lesson): LessonInfo {
  const runs = Object.fromEntries(
    LESSON_BUDGETS.map((budget) => {
      const p = lesson.plan(budget);
      return [budget, p.arms.length * p.seeds.length];
    }),
  ) as Record<LessonBudget, number>;
  return { ...lesson.info, arms: lesson.plan('standard').arms.map((a) => a.label), runs };
}
