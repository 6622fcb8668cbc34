// Presets that train on a public dataset the user imports first (`{ "known": "fashion-mnist" }`): the dataset
// they use is the newest registered one recognised as it at import (FileDatasetRef.known) whose prepared file
// is still there. None: refused with the import command. Never another dataset in its place.
import { existsSync } from 'node:fs';
import { importFirstMessage, needsImport, type DatasetRef, type FileDatasetRef, type KnownDatasetId, type Preset } from '../../shared/index.js';
import type { Store } from '../store/index.js';

export class KnownDatasetMissing extends Error {
  constructor(
    readonly known: KnownDatasetId,
    readonly presetId: string,
  ) {
    super(importFirstMessage(known, presetId));
    this.name = 'KnownDatasetMissing';
  }
}

/** The newest registered dataset recognised as `known`, in any project; null when none was imported. */
export function findKnownDataset(store: Store, known: KnownDatasetId): FileDatasetRef | null {
  let best: { id: number; source: FileDatasetRef } | null = null;
  for (const project of store.listProjects()) {
    for (const d of store.listDatasets(project.id)) {
      const source = d.source;
      if (source.kind === 'mnist' || source.kind === 'synthetic' || source.kind === 'sequence' || source.known !== known || !existsSync(source.file)) continue;
      if (!best || d.id > best.id) best = { id: d.id, source };
    }
  }
  return best?.source ?? null;
}

/** The data a preset trains on; throws KnownDatasetMissing when it needs an import that has not been done. */
export function presetDataset(store: Store, preset: Pick<Preset, 'id' | 'dataset'>): DatasetRef {
  if (!needsImport(preset.dataset)) return preset.dataset;
  const found = findKnownDataset(store, preset.dataset.known);
  if (!found) throw new KnownDatasetMissing(preset.dataset.known, preset.id);
  return found;
}
