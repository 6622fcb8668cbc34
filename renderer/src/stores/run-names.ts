// The one name of each run of the open project (shared/analysis/run-names.ts): `#7 · dropout off`. Every view
// (the run cards, the run list, the run view's title and tab, comparisons, lessons) asks here, so a run is never
// "Run #12" in one place and "run 3: batchNorm off" in another. Needs the project's runs (the runs store), its
// model versions, datasets and comparisons, loaded once per project and again when a run needs one not known.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import { differenceText, parentsOf, runDifference, setupKey, spreadOf, type RunSetup } from '../../../shared/analysis/index.js';
import type { Comparison, Run } from '../../../shared/api/index.js';
import type { DatasetRef, ModelSpec } from '../../../shared/index.js';
import { useApi } from '../api/client.js';
import { useRunsStore } from './runs.js';

export const useRunNamesStore = defineStore('run-names', () => {
  const runs = useRunsStore();
  const projectId = ref<number | null>(null);
  const specs = shallowRef(new Map<number, ModelSpec>());
  const datasets = shallowRef(new Map<number, DatasetRef>());
  const groups = shallowRef<Comparison[]>([]);
  let loading: Promise<void> | null = null;

  /** The project's runs: the runs store's, plus any a view brought in (a comparison's). */
  const extra = ref<Record<number, Run>>({});
  const all = computed<Run[]>(() => {
    const byId = new Map<number, Run>();
    for (const r of Object.values(extra.value)) if (r.projectId === projectId.value) byId.set(r.id, r);
    for (const r of runs.runs) if (r.projectId === projectId.value) byId.set(r.id, r);
    return [...byId.values()];
  });
  const byId = computed(() => new Map(all.value.map((r) => [r.id, r])));
  const parents = computed(() => parentsOf(all.value, groups.value));

  async function fetch(id: number): Promise<void> {
    const api = useApi();
    const [models, sets, comparisons] = await Promise.all([api.models.list({ projectId: id }), api.datasets.list({ projectId: id }), api.comparisons.list({ projectId: id })]);
    if (projectId.value !== id) return;
    specs.value = new Map(models.map((m) => [m.id, m.spec]));
    datasets.value = new Map(sets.map((d) => [d.id, d.source]));
    groups.value = comparisons;
  }

  /** Loads what naming the project's runs needs. */
  async function load(id: number | null): Promise<void> {
    if (id !== projectId.value) {
      projectId.value = id;
      specs.value = new Map();
      datasets.value = new Map();
      groups.value = [];
      extra.value = {};
      seen.clear();
    }
    if (id === null) return;
    for (const r of all.value) seen.add(r.id);
    loading = fetch(id).catch(() => {
      // Names fall back to the bare number until the records load.
    });
    await loading;
  }

  /** Runs a view holds that the runs store may not list yet (a comparison opened straight from a lesson). */
  function know(list: readonly Run[]): void {
    const next = { ...extra.value };
    for (const r of list) next[r.id] = r;
    extra.value = next;
  }

  // A new run may come with a model version, dataset or group made after the records were read: read them again
  // (once per new run, not on every status change).
  const seen = new Set<number>();
  watch(all, (list) => {
    const id = projectId.value;
    if (id === null || loading === null) return;
    const fresh = list.filter((r) => !seen.has(r.id));
    for (const r of fresh) seen.add(r.id);
    if (fresh.some((r) => !specs.value.has(r.modelVersionId) || !datasets.value.has(r.datasetId) || r.name !== null)) void load(id);
  });

  function setupOf(run: Run): RunSetup | null {
    const spec = specs.value.get(run.modelVersionId);
    const dataset = datasets.value.get(run.datasetId);
    return spec && dataset ? { spec, dataset, config: run.config } : null;
  }

  /** The run it is named against, or null. */
  function parentOf(id: number): Run | null {
    const parent = parents.value.get(id);
    return parent === null || parent === undefined ? null : (byId.value.get(parent) ?? null);
  }

  /** What differs from its parent (`dropout off`), '' when nothing, null when unknown or when it has none. */
  function difference(id: number): string | null {
    const run = byId.value.get(id);
    const parent = parentOf(id);
    if (!run || !parent) return null;
    const a = setupOf(parent);
    const b = setupOf(run);
    if (!a || !b) return null;
    return differenceText(runDifference(a, b));
  }

  /** `#7`: the run's number in its project. */
  function number(id: number): string {
    const run = byId.value.get(id);
    return run ? `#${run.number}` : `#?${id}`;
  }

  /** `#7 · dropout off`; a run with nothing to tell it from its parent: `#7 · same as #6`; the first run: `#1`. */
  function title(id: number): string {
    const diff = difference(id);
    const parent = parentOf(id);
    if (diff) return `${number(id)} · ${diff}`;
    if (diff === '' && parent) return `${number(id)} · = #${parent.number}`;
    return number(id);
  }

  /**
   * The seed spread (max − min of a final metric) of the runs of the project with the same model, data and
   * settings as this run but for the seed — what a difference from it must exceed; null with fewer than two.
   */
  function seedSpread(id: number, metric: string): { spread: number; n: number } | null {
    const run = byId.value.get(id);
    const setup = run && setupOf(run);
    if (!run || !setup) return null;
    const key = setupKey(setup);
    const values = all.value
      .filter((r) => r.finalMetrics && typeof r.finalMetrics[metric] === 'number')
      .filter((r) => {
        const s = setupOf(r);
        return s !== null && setupKey(s) === key;
      })
      .map((r) => r.finalMetrics![metric] as number);
    const s = spreadOf(values);
    return s && s.n > 1 ? { spread: s.max - s.min, n: s.n } : null;
  }

  /** The data a run of the project trained on (from the project's dataset records). */
  function datasetOf(run: Run): DatasetRef | null {
    return datasets.value.get(run.datasetId) ?? null;
  }

  return { projectId, load, know, title, number, difference, parentOf, datasetOf, seedSpread };
});
