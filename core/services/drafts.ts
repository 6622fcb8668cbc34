// Drafts (shared/drafts): each project's experiment as the user is setting it up. A new project starts with its
// preset's draft (or a blank one); `drafts.get` hands out the saved draft, and a project that has none (made before
// drafts existed, or by the CLI) gets one made once from its records and saved, so that it never changes by itself
// afterwards. Its settings come from the preset the model came from, or from the newest run the user started by
// hand (an unnamed one: ablations, repeats, lessons and forks name their runs), never from a run made from another.
import { canonicalJson } from '../../shared/analysis/canonical.js';
import {
  defaultDraftConfig,
  draftFromConfig,
  needsImport,
  type DatasetRef,
  type DraftInput,
  type ModelSpec,
  type Preset,
  type ProjectDraft,
  type TrainingConfig,
} from '../../shared/index.js';
import type { Store } from '../store/index.js';

/** The draft a project starts with: the preset's model, data and settings (a blank project: defaults). */
export function presetDraft(preset: Preset | null, dataset: DatasetRef | null = null): DraftInput {
  if (!preset) return { spec: null, config: defaultDraftConfig(), dataset: null, seedPolicy: { kind: 'fixed', seed: 1 } };
  return { spec: preset.model, dataset, ...draftFromConfig(preset.training) };
}

/** The preset a model came from: the same spec, or failing that the same model name. */
function presetOf(spec: ModelSpec | null, presets: readonly Preset[]): Preset | null {
  if (!spec) return null;
  const json = canonicalJson(spec);
  return presets.find((p) => canonicalJson(p.model) === json) ?? presets.find((p) => p.model.name === spec.name) ?? null;
}

/** A draft from what the project holds: its newest model version and dataset, and settings from its preset or hand-started run. */
export function draftFromRecords(store: Store, projectId: number, presets: readonly Preset[]): DraftInput {
  const versions = store.listModelVersions(projectId);
  const spec = versions[versions.length - 1]?.spec ?? null;
  const datasets = store.listDatasets(projectId);
  const dataset: DatasetRef | null = datasets[datasets.length - 1]?.source ?? null;
  const preset = presetOf(spec, presets);
  const byHand = store
    .listRuns({ projectId })
    .filter((r) => r.name === null)
    .pop();
  const config: TrainingConfig | null = byHand?.config ?? preset?.training ?? null;
  const settings = config ? draftFromConfig(config) : { config: defaultDraftConfig(), seedPolicy: { kind: 'fixed' as const, seed: 1 } };
  // A preset whose data must be imported first (Fashion-MNIST) gives none: never a stand-in.
  return { spec, dataset: dataset ?? (preset && !needsImport(preset.dataset) ? preset.dataset : null), ...settings };
}

export function getDraft(store: Store, projectId: number, presets: readonly Preset[]): ProjectDraft {
  return store.drafts.get(projectId) ?? store.drafts.save(projectId, draftFromRecords(store, projectId, presets));
}

export function saveDraft(store: Store, projectId: number, draft: DraftInput): ProjectDraft {
  return store.drafts.save(projectId, draft);
}
