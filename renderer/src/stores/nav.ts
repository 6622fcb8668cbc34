// Where the open project shows: which tab, which run, which comparison. Other views switch it (the run list
// opens a run, Ablate… opens its comparison, a lesson opens its project on the comparison).
import { defineStore } from 'pinia';
import { ref } from 'vue';

export type Tab = 'model' | 'tricks' | 'data' | 'training' | 'runs' | 'sweeps' | 'run' | 'compare';
export const BASE_TABS: Tab[] = ['model', 'tricks', 'data', 'training', 'runs', 'sweeps'];

export const useNavStore = defineStore('nav', () => {
  const tab = ref<Tab>('model');
  /** The run the Run tab shows. */
  const runId = ref<number | null>(null);
  /** The lessons page instead of the projects. */
  const lessons = ref(false);

  function openRun(id: number): void {
    runId.value = id;
    tab.value = 'run';
  }

  function reset(): void {
    tab.value = 'model';
    runId.value = null;
  }

  return { tab, runId, lessons, openRun, reset };
});
