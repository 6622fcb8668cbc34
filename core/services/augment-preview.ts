// The data preview's "as training sees them": the first training samples with the config's augmentations
// applied by the engine's own code (core/engine/tricks/augmentations.ts), drawn as for the rows at the start of
// a batch of the given epoch. Shown in raw values (before input scaling), so zero padding is a raw 0.
import { ApiError } from '../../shared/api/errors.js';
import type { DatasetSample } from '../../shared/api/entities.js';
import { dataTrickProblems, type TrainingConfig } from '../../shared/index.js';
import { labelOf, type Dataset } from '../engine/data/dataset.js';
import { Augmentations } from '../engine/tricks/augmentations.js';

export function augmentedSamples(data: Dataset, dataName: string, config: TrainingConfig, epoch: number, count: number): { samples: DatasetSample[]; applied: string[] } {
  const problems = dataTrickProblems(config, { name: dataName, inputShape: data.inputShape });
  if (problems.length) {
    throw new ApiError('invalid_input', `datasets.preview: ${problems.map((e) => `config.${e.message}`).join('; ')}`, {
      method: 'datasets.preview',
      errors: problems.map((e) => ({ path: `config.${e.path}`, message: `config.${e.message}` })),
    });
  }
  const augment = new Augmentations(config, { inputShape: data.inputShape, train: data.train, zero: 0 });
  const features = data.inputShape.reduce((a, b) => a * b, 1);
  const n = Math.min(count, data.train.count);
  const x = data.train.x.slice(0, n * features);
  augment.apply(x, 0, n, { seed: config.seed, member: 0, epoch, batch: 0 });
  const samples = Array.from({ length: n }, (_, i) => ({
    features: Array.from(x.subarray(i * features, (i + 1) * features)),
    label: labelOf(data.train.y, i, data.numClasses),
  }));
  return { samples, applied: augment.ids };
}
