// The model spec: a JSON-serialisable description of a network as a stack of layers.
// Pure TypeScript (no node, DOM, electron or tfjs): the editor, the engine and the CLI all read it.
// Each layer type is declared once, in shared/layers/defs/, and listed in shared/layers/registry.ts.
import { layerDescriptor, type LayerSpec } from '../layers/registry.js';
import type { WeightedFields } from '../layers/params.js';

export {
  ACTIVATIONS,
  INITIALIZERS,
  PADDINGS,
  size2,
  type ActivationName,
  type InitializerName,
  type Padding,
  type RegularizerSpec,
  type Size2,
  type WeightedFields,
} from '../layers/params.js';
export {
  LAYER_TYPES,
  type ActivationLayer,
  type AvgPool2dLayer,
  type BatchNormLayer,
  type Conv2dLayer,
  type DenseLayer,
  type DropoutLayer,
  type FlattenLayer,
  type GlobalAvgPool2dLayer,
  type InceptionBlock,
  type InputLayer,
  type LayerSpec,
  type LayerType,
  type MaxPool2dLayer,
  type ResidualBlock,
} from '../layers/registry.js';

export const LOSSES = ['categoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError'] as const;
export type LossName = (typeof LOSSES)[number];

export const MODEL_SPEC_VERSION = 1;

export interface ModelSpec {
  version: typeof MODEL_SPEC_VERSION;
  name: string;
  description?: string;
  loss: LossName;
  /** layers[0] is the input layer. */
  layers: LayerSpec[];
}

/** A layer that holds a kernel (its descriptor says `weighted`): dense, conv2d, … */
export type WeightedLayer = LayerSpec & WeightedFields;

export function isWeighted(layer: LayerSpec): layer is WeightedLayer {
  return layerDescriptor(layer.type).weighted === true;
}
