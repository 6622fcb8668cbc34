// The built-in lessons: the training-tricks note's claims (a–j), each a small ablation whose verdict is computed
// from the measured numbers. Starting one queues its runs in the one Lessons project.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LessonBudget, LessonInfo, Project, RunGroupResult } from '../../../shared/api/index.js';
import { toApiError, useApi } from '../api/client.js';

export const useLessonsStore = defineStore('lessons', () => {
  const lessons = ref<LessonInfo[]>([]);
  const loaded = ref(false);
  /** The lesson being started (its buttons wait). */
  const starting = ref<string | null>(null);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    error.value = null;
    try {
      const list = await useApi().lessons.list();
      lessons.value = [...list].sort((a, b) => a.letter.localeCompare(b.letter));
      loaded.value = true;
    } catch (e) {
      error.value = toApiError(e).message;
    }
  }

  /** Queues the lesson's runs; resolves with its project and comparison. */
  async function start(lessonId: string, budget: LessonBudget): Promise<(RunGroupResult & { project: Project }) | undefined> {
    error.value = null;
    starting.value = lessonId;
    try {
      return await useApi().lessons.start({ lessonId, budget });
    } catch (e) {
      error.value = toApiError(e).message;
      return undefined;
    } finally {
      starting.value = null;
    }
  }

  return { lessons, loaded, starting, error, load, start };
});
