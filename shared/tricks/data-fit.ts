// Which data an augmentation has a meaning for. Flipping or shifting "a table row" or a 2-D point is not an
// augmentation but a corruption of the data, so a run asking for it is refused, naming the trick and the
// dataset, by the API (runs.start), the CLI (train) and the engine itself; nothing is silently skipped.
import { specError, type SpecError } from '../spec/errors.js';
import type { DataShape as FitDataShape } from '../spec/fit.js';
import type { TrainingConfig } from './config.js';
import { TRICKS } from './registry.js';

/** What a dataset looks like to this check: its name in words (`the spiral set`) and its input shape. */
type DataShape = Pick<FitDataShape, 'name' | 'inputShape'>;

/** Why the config's data tricks do not fit the data; empty when they do. */
export function dataTrickProblems(config: TrainingConfig, data: DataShape): SpecError[] {
  const problems: SpecError[] = [];
  const shape = `[${data.inputShape.join(', ')}]`;
  for (const trick of TRICKS) {
    const params = (config.tricks as Record<string, Record<string, unknown> | undefined>)[trick.id];
    if (!params || trick.inputs !== 'images') continue;
    if (data.inputShape.length !== 3) {
      problems.push(
        specError(
          ['tricks', trick.id],
          `(${trick.label.toLowerCase()}) needs images ([height, width, channels] inputs), but ${data.name} has inputs of shape ${shape}: turn it off for this dataset`,
          undefined,
          false,
        ),
      );
      continue;
    }
    const pixels = params.pixels;
    const [h, w] = data.inputShape as [number, number, number];
    if (typeof pixels === 'number' && pixels >= Math.min(h, w)) {
      problems.push(specError(['tricks', trick.id, 'pixels'], `must be smaller than the images of ${data.name} (${h} × ${w})`, pixels));
    }
  }
  return problems;
}
