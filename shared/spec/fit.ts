// Whether a model fits its loss and its data, beyond what the spec check alone can know: the last layer's
// activation against what the loss reads, the input layer against the data's samples, and the output against
// the data's classes (for the model that trains: the spec expanded by the config's structural tricks). The
// editor shows these on the cards as the user types; `runs.start` refuses the same (so a wrong output size is
// caught before Train, never by the trainer after it started).
import { layerDescriptor } from '../layers/registry.js';
import { expandSpec } from '../tricks/expand.js';
import type { TrainingConfig } from '../tricks/config.js';
import { formatPath, specError, type PathSegment, type SpecError } from './errors.js';
import { inferModel } from './inference.js';
import type { LossName, ModelSpec } from './model-spec.js';

/** What a model must match in the data: the sample shape and the number of classes (datasetRefShape gives it). */
export interface DataShape {
  name: string;
  inputShape: readonly number[];
  classes: number;
}

/** The activations whose outputs each loss can read (linear: the loss applies its own squashing to logits). */
const HEADS: Partial<Record<LossName, { want: string; allowed: readonly string[] }>> = {
  categoricalCrossentropy: { want: 'softmax', allowed: ['softmax', 'linear'] },
  binaryCrossentropy: { want: 'sigmoid', allowed: ['sigmoid', 'linear'] },
};

/**
 * The last layer, when it holds an activation (its descriptor has an `activation` field; absent means linear):
 * what the loss reads, and what the engine folds into it (core/engine/head.ts looks at the last layer only).
 */
function headLayer(spec: ModelSpec): { index: number; activation: string } | null {
  const index = spec.layers.length - 1;
  const layer = spec.layers[index];
  if (index < 1 || !layer || !('activation' in layerDescriptor(layer.type).params)) return null;
  const activation = (layer as { activation?: unknown }).activation;
  return { index, activation: typeof activation === 'string' ? activation : 'linear' };
}

/** The loss against the last activation: softmax or linear for categorical, sigmoid or linear for binary cross-entropy. */
export function checkLossHead(spec: ModelSpec): SpecError[] {
  const rule = HEADS[spec.loss];
  const head = headLayer(spec);
  if (!rule || !head || rule.allowed.includes(head.activation)) return [];
  return [
    specError(
      ['layers', head.index, 'activation'],
      `is ${head.activation}, but the ${spec.loss} loss reads class scores through ${rule.want}: make it ${rule.want} (or linear, and the loss applies ${rule.want} itself)`,
      undefined,
      false,
    ),
  ];
}

/** The field an output-size error belongs on: the last layer's units (or filters), else the layer itself. */
function outputField(spec: ModelSpec): PathSegment[] {
  const index = spec.layers.length - 1;
  const last = spec.layers[index] as unknown as Record<string, unknown> | undefined;
  if (last && typeof last.units === 'number') return ['layers', index, 'units'];
  return ['layers', index];
}

/**
 * Every reason the model cannot train on the data with this loss (empty when it can). `config` expands the spec
 * as training will (null: as written); `data` null checks the loss against the last activation only.
 */
export function checkFit(spec: ModelSpec, config: TrainingConfig | null, data: DataShape | null): SpecError[] {
  const errors = checkLossHead(spec);
  if (!data) return errors;
  const input = spec.layers[0];
  if (input?.type === 'input' && input.shape.join() !== data.inputShape.join()) {
    errors.push(specError(['layers', 0, 'shape'], `must be [${data.inputShape.join(', ')}] to take ${data.name}`, input.shape));
    return errors;
  }
  let out: readonly number[] | null;
  try {
    out = inferModel(config ? expandSpec(spec, config) : spec).outputShape;
  } catch {
    return errors;
  }
  // An unknown output (an error upstream) is the spec check's to report.
  if (out && (out.length !== 1 || out[0] !== data.classes)) {
    const path = formatPath(outputField(spec));
    errors.push({ path, message: `${path}: the model outputs [${out.join(', ')}] but ${data.name} has ${data.classes} classes: the last layer needs ${data.classes} units` });
  }
  return errors;
}
