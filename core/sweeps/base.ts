// What a sweep's trials start from, resolved to a model, data and config: a bundled preset, a recorded run or
// model version of the project, or a spec given in full. A run or model version of another project is refused.
import type { Preset, SpecError, SweepBase, ParsedSweepSpec } from '../../shared/index.js';
import { KnownDatasetMissing, presetDataset } from '../datasets/known.js';
import { findPreset, PresetError } from '../presets/load.js';
import { StoreError, type Store } from '../store/index.js';
import { SweepSpecError } from './errors.js';

const refuse = (path: string, message: string): SweepSpecError => new SweepSpecError([{ path, message: `${path} ${message}` } satisfies SpecError]);

export function resolveBase(store: Store, projectId: number, parsed: ParsedSweepSpec, presets: () => Preset[]): SweepBase {
  const base = parsed.base;
  if (base.preset !== undefined) {
    let preset: Preset;
    try {
      preset = findPreset(base.preset, presets());
    } catch (error) {
      if (error instanceof PresetError) throw refuse('base.preset', `is not a preset (got ${JSON.stringify(base.preset)}; known: ${presets().map((p) => p.id).join(', ')})`);
      throw error;
    }
    let dataset = base.dataset;
    if (!dataset) {
      // A preset on an imported public dataset (fashion-cnn) sweeps over that import, or is refused naming it.
      try {
        dataset = presetDataset(store, preset);
      } catch (error) {
        if (error instanceof KnownDatasetMissing) throw refuse('base.preset', `cannot be swept yet: ${error.message}`);
        throw error;
      }
    }
    return { spec: preset.model, dataset, config: (base.config ?? preset.training) as SweepBase['config'], from: { preset: preset.id } };
  }
  if (base.runId !== undefined) {
    const run = owned(() => store.getRun(base.runId!), 'base.runId', base.runId, projectId);
    return {
      spec: store.getModelVersion(run.modelVersionId).spec,
      dataset: base.dataset ?? store.getDataset(run.datasetId).source,
      config: (base.config ?? run.config) as SweepBase['config'],
      from: { runId: run.id },
    };
  }
  if (base.modelVersionId !== undefined) {
    const version = owned(() => store.getModelVersion(base.modelVersionId!), 'base.modelVersionId', base.modelVersionId, projectId);
    return { spec: version.spec, dataset: base.dataset!, config: base.config as SweepBase['config'], from: { modelVersionId: version.id } };
  }
  return { spec: base.spec as SweepBase['spec'], dataset: base.dataset!, config: base.config as SweepBase['config'], ...(base.from ? { from: base.from } : {}) };
}

function owned<T extends { projectId: number }>(get: () => T, path: string, id: number, projectId: number): T {
  let record: T;
  try {
    record = get();
  } catch (error) {
    if (error instanceof StoreError && error.code.endsWith('NotFound')) throw refuse(path, `does not exist (got ${id})`);
    throw error;
  }
  if (record.projectId !== projectId) throw refuse(path, `belongs to project ${record.projectId}, not ${projectId} (got ${id})`);
  return record;
}
