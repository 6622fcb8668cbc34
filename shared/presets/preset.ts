// A preset is a ready-made starting point: a model, the data it expects and sensible training settings.
// The files live in resources/presets/; the node side loads them and every one is checked by tests.
import { z } from 'zod';
import { DatasetRefSchema, type DatasetRef } from '../data/dataset-ref.js';
import { KNOWN_DATASET_IDS, type KnownDatasetId } from '../data/known-datasets.js';
import { formatIssues, specError, type SpecError } from '../spec/errors.js';
import { checkModelSpec } from '../spec/inference.js';
import type { ModelSpec } from '../spec/model-spec.js';
import type { ParseResult } from '../spec/schema.js';
import { parseTrainingConfig, type TrainingConfig } from '../tricks/config.js';

export const PRESET_IDS = [
  'mnist-mlp',
  'mnist-cnn',
  'mnist-cnn-bn-dropout',
  'mini-resnet',
  'inception-mini',
  'spiral-mlp',
  'pattern-lstm',
  'sine-transformer',
  'fashion-cnn',
] as const;

/**
 * A public dataset the user imports first (Fashion-MNIST: `layerwise dataset add idx …`), named rather than
 * bundled. A preset that needs one trains on the registered dataset recognised as it (FileDatasetRef.known),
 * and while there is none it is refused with the import command: never another dataset in its place.
 */
export interface KnownDatasetNeed {
  known: KnownDatasetId;
}

export type PresetDataset = DatasetRef | KnownDatasetNeed;

export function needsImport(dataset: PresetDataset): dataset is KnownDatasetNeed {
  return 'known' in dataset && !('kind' in dataset);
}

export interface Preset {
  id: string;
  title: string;
  description: string;
  dataset: PresetDataset;
  model: ModelSpec;
  training: TrainingConfig;
}

const PresetShape = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, { error: 'must be lower-case letters, digits and dashes' }),
  title: z.string().min(1),
  description: z.string(),
  dataset: z.union([DatasetRefSchema, z.strictObject({ known: z.enum(KNOWN_DATASET_IDS, { error: `must be one of ${KNOWN_DATASET_IDS.join(', ')}` }) })]),
  model: z.unknown(),
  training: z.unknown(),
});

export function parsePreset(input: unknown): ParseResult<Preset> {
  const shape = PresetShape.safeParse(input, { reportInput: true });
  if (!shape.success) return { ok: false, errors: formatIssues(shape.error.issues, input) };
  const errors: SpecError[] = [];
  const model = checkModelSpec(shape.data.model);
  errors.push(...model.errors.map((e) => prefix('model', e)));
  const training = parseTrainingConfig(shape.data.training);
  if (!training.ok) errors.push(...training.errors.map((e) => prefix('training', e)));
  if (errors.length || !model.spec || !training.ok) return { ok: false, errors };
  return { ok: true, value: { ...shape.data, model: model.spec, training: training.value } };
}

function prefix(root: string, error: SpecError): SpecError {
  const e = specError([root], '', undefined, false);
  return { path: error.path ? `${e.path}.${error.path}` : e.path, message: `${root}.${error.message}` };
}
