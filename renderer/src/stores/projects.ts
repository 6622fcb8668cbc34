// Projects: the list, the open one, its latest model version and its dataset.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { DatasetRef, Preset } from '../../../shared/index.js';
import type { ModelVersion, Project } from '../../../shared/api/index.js';
import { base64ToBytes, bytesToBase64 } from '../../../shared/api/index.js';
import { toApiError, useApi } from '../api/client.js';

export const useProjectsStore = defineStore('projects', () => {
  const projects = ref<Project[]>([]);
  const presets = ref<Preset[]>([]);
  const loaded = ref(false);
  const currentId = ref<number | null>(null);
  const currentModel = ref<ModelVersion | null>(null);
  const currentDataset = ref<DatasetRef | null>(null);
  const error = ref<string | null>(null);

  const current = computed(() => projects.value.find((p) => p.id === currentId.value) ?? null);

  async function guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    error.value = null;
    try {
      return await work();
    } catch (e) {
      error.value = toApiError(e).message;
      return undefined;
    }
  }

  async function refresh(): Promise<void> {
    await guard(async () => {
      const api = useApi();
      const [list, presetList] = await Promise.all([api.projects.list(), presets.value.length ? Promise.resolve(presets.value) : api.presets.list()]);
      projects.value = [...list].sort((a, b) => b.id - a.id);
      presets.value = presetList;
      loaded.value = true;
    });
  }

  async function create(name: string | undefined, presetId?: string): Promise<Project | undefined> {
    const project = await guard(() => useApi().projects.create({ ...(name?.trim() ? { name: name.trim() } : {}), ...(presetId ? { presetId } : {}) }));
    if (project) {
      projects.value = [project, ...projects.value.filter((p) => p.id !== project.id)];
    }
    return project;
  }

  /** The project as a .layerwise file: its suggested name and bytes. */
  async function exportBundle(id: number): Promise<{ fileName: string; bytes: Uint8Array } | undefined> {
    const bundle = await guard(() => useApi().bundles.export({ projectId: id }));
    return bundle ? { fileName: bundle.fileName, bytes: base64ToBytes(bundle.data) } : undefined;
  }

  /** Adds a .layerwise file as a new project (the host checks the whole bundle first). */
  async function importBundle(bytes: Uint8Array): Promise<number | undefined> {
    const result = await guard(() => useApi().bundles.import({ data: bytesToBase64(bytes) }));
    if (result) await refresh();
    return result?.projectId;
  }

  async function rename(id: number, name: string): Promise<void> {
    const project = await guard(() => useApi().projects.update({ id, name }));
    if (project) projects.value = projects.value.map((p) => (p.id === id ? project : p));
  }

  async function remove(id: number): Promise<void> {
    const ok = await guard(async () => {
      await useApi().projects.delete({ id });
      return true;
    });
    if (ok) {
      projects.value = projects.value.filter((p) => p.id !== id);
      if (currentId.value === id) close();
    }
  }

  /** Opens a project: its latest model version and the dataset it was recorded with. */
  async function open(id: number): Promise<void> {
    currentId.value = id;
    currentModel.value = null;
    currentDataset.value = null;
    await guard(async () => {
      const api = useApi();
      const [models, datasets] = await Promise.all([api.models.list({ projectId: id }), api.datasets.list({ projectId: id })]);
      currentModel.value = [...models].sort((a, b) => b.id - a.id)[0] ?? null;
      const latest = [...datasets].sort((a, b) => b.id - a.id)[0];
      currentDataset.value = latest?.source ?? null;
    });
  }

  function close(): void {
    currentId.value = null;
    currentModel.value = null;
    currentDataset.value = null;
  }

  return { projects, presets, loaded, currentId, current, currentModel, currentDataset, error, refresh, create, exportBundle, importBundle, rename, remove, open, close };
});
