// The open project's draft (shared/drafts): the model in the editor, the tricks and run settings, the data and
// the seed policy, saved to the data folder a moment after every edit and at once when the user leaves. It is
// the one source of what Train runs. Only the user's own edits and "Use these settings" of a run change it:
// opening the project shows the draft as it was left, never the latest run's settings, and an ablation, a seed
// repeat, a lesson or a resume make runs without touching it.
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { datasetRefShape, seedFor, type DatasetRef, type DraftInput, type ModelSpec, type TrainingConfig } from '../../../shared/index.js';
import type { Run } from '../../../shared/api/index.js';
import { toApiError, useApi } from '../api/client.js';
import { useEditorStore } from './editor.js';
import { useTricksStore } from './tricks.js';

/** How long after the last edit the draft is saved (a burst of typing is one save). */
export const DRAFT_SAVE_DELAY_MS = 400;

export const useDraftStore = defineStore('draft', () => {
  const editor = useEditorStore();
  const tricks = useTricksStore();
  const projectId = ref<number | null>(null);
  const dataset = ref<DatasetRef | null>(null);
  const loaded = ref(false);
  const saving = ref(false);
  const savedAt = ref<string | null>(null);
  const error = ref<string | null>(null);
  /** Bumps on every edit of the draft by the user (not when a draft is loaded). */
  const revision = ref(0);
  /** The run whose settings were last loaded with "Use these settings" (for the notice that says so). */
  const loadedFrom = ref<number | null>(null);

  let applying = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastSaved = '';
  let chain: Promise<void> = Promise.resolve();

  const body = computed<DraftInput>(() => ({ spec: editor.spec, config: tricks.draftConfig, dataset: dataset.value, seedPolicy: tricks.seedPolicy }));
  /** As sent: plain JSON (a NaN typed into a field travels as null, on every transport alike). */
  const json = () => JSON.stringify(body.value);

  // Synchronous, so that loading a draft (which changes every part at once) is told apart from an edit.
  watch(
    body,
    () => {
      if (applying || projectId.value === null || !loaded.value) return;
      revision.value++;
      loadedFrom.value = null;
      schedule();
    },
    { flush: 'sync' },
  );

  // The editor checks the model against the draft's data and settings as they change.
  watch(
    [dataset, () => tricks.config],
    ([data, config]) => editor.setContext({ data: data ? datasetRefShape(data) : null, config: config as TrainingConfig | null }),
    { immediate: true },
  );

  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => void save(), DRAFT_SAVE_DELAY_MS);
  }

  /** Saves the draft if it changed since the last save; saves run one after another, never overlapping. */
  function save(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const id = projectId.value;
    const text = json();
    if (id === null || !loaded.value || text === lastSaved) return chain;
    chain = chain.then(async () => {
      saving.value = true;
      try {
        const saved = await useApi().drafts.save({ projectId: id, draft: JSON.parse(text) as DraftInput });
        lastSaved = text;
        if (projectId.value === id) savedAt.value = saved.updatedAt;
        error.value = null;
      } catch (e) {
        error.value = toApiError(e).message;
      } finally {
        saving.value = false;
      }
    });
    return chain;
  }

  /** Saves now what is waiting to be saved (leaving the project, closing the page). */
  function flush(): Promise<void> {
    return save();
  }

  function apply(next: DraftInput): void {
    applying = true;
    try {
      editor.load(next.spec);
      tricks.loadDraft(next.config, next.seedPolicy);
      dataset.value = next.dataset;
    } finally {
      applying = false;
    }
  }

  /** Opens a project's draft (what the user left, exactly). */
  async function open(id: number): Promise<void> {
    if (projectId.value !== null && projectId.value !== id) await flush();
    projectId.value = id;
    loaded.value = false;
    loadedFrom.value = null;
    error.value = null;
    try {
      const draft = await useApi().drafts.get({ projectId: id });
      if (projectId.value !== id) return;
      apply(draft);
      lastSaved = json();
      savedAt.value = draft.updatedAt;
      loaded.value = true;
    } catch (e) {
      error.value = toApiError(e).message;
    }
  }

  async function close(): Promise<void> {
    const closing = projectId.value;
    await flush();
    // Another project may have opened while the save finished (leave one, open the next): it stays open.
    if (projectId.value !== closing) return;
    projectId.value = null;
    loaded.value = false;
  }

  /** The user starts a model in a project that has none. */
  function startModel(spec: ModelSpec): void {
    editor.load(spec);
  }

  /**
   * "Use these settings": the run's model (one undoable edit), its epochs, batch size and tricks, its data, and
   * its seed as the fixed seed — the whole experiment that run was, now the draft.
   */
  function useRunSettings(run: Run, spec: ModelSpec | null, data: DatasetRef | null): void {
    if (spec) editor.replace(spec);
    tricks.load(run.config);
    tricks.seed = run.seed;
    if (data) dataset.value = data;
    loadedFrom.value = run.id;
  }

  /** The seed the next Train uses, given the seeds the project's runs already used. */
  function nextSeed(usedSeeds: readonly number[]): number {
    return seedFor(tricks.seedPolicy, usedSeeds);
  }

  /** The run settings Train sends, or null while something is wrong. */
  function runConfig(usedSeeds: readonly number[]): TrainingConfig | null {
    return tricks.configWithSeed(nextSeed(usedSeeds));
  }

  if (typeof window !== 'undefined') {
    // The page may close or be hidden without a route change: save what is waiting.
    window.addEventListener('pagehide', () => void flush());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') void flush();
    });
  }

  return { projectId, dataset, loaded, saving, savedAt, error, revision, loadedFrom, open, close, flush, startModel, useRunSettings, nextSeed, runConfig };
});
