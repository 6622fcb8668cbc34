// Every layer type, listed explicitly (as the tricks are): adding a layer means adding its file in defs/ and
// its lines here. Order is the order of the palette and of `type must be one of …`.
import type { LayerDescriptor } from './descriptor.js';
import { input, type InputLayer } from './defs/input.js';
import { dense, type DenseLayer } from './defs/dense.js';
import { conv2d, type Conv2dLayer } from './defs/conv2d.js';
import { maxPool2d, type MaxPool2dLayer } from './defs/max-pool2d.js';
import { avgPool2d, type AvgPool2dLayer } from './defs/avg-pool2d.js';
import { globalAvgPool2d, type GlobalAvgPool2dLayer } from './defs/global-avg-pool2d.js';
import { flatten, type FlattenLayer } from './defs/flatten.js';
import { dropout, type DropoutLayer } from './defs/dropout.js';
import { batchNorm, type BatchNormLayer } from './defs/batch-norm.js';
import { activation, type ActivationLayer } from './defs/activation.js';
import { residual, type ResidualBlock } from './defs/residual.js';
import { inception, type InceptionBlock } from './defs/inception.js';

export type LayerSpec =
  | InputLayer
  | DenseLayer
  | Conv2dLayer
  | MaxPool2dLayer
  | AvgPool2dLayer
  | GlobalAvgPool2dLayer
  | FlattenLayer
  | DropoutLayer
  | BatchNormLayer
  | ActivationLayer
  | ResidualBlock
  | InceptionBlock;

export type LayerType = LayerSpec['type'];

/** Each descriptor typed by its own layer; `satisfies` proves the list and the union agree. */
export const LAYERS = [
  input,
  dense,
  conv2d,
  maxPool2d,
  avgPool2d,
  globalAvgPool2d,
  flatten,
  dropout,
  batchNorm,
  activation,
  residual,
  inception,
] as const satisfies readonly LayerDescriptor<LayerSpec>[];

export const LAYER_TYPES = LAYERS.map((d) => d.type) as readonly LayerType[];

const byType = new Map<string, LayerDescriptor<LayerSpec>>(LAYERS.map((d) => [d.type, d as unknown as LayerDescriptor<LayerSpec>]));

export function isLayerType(type: unknown): type is LayerType {
  return typeof type === 'string' && byType.has(type);
}

/** The descriptor of a layer type, typed loosely: callers pass the matching layer. */
export function layerDescriptor(type: LayerType): LayerDescriptor<LayerSpec> {
  const d = byType.get(type);
  if (!d) throw new Error(`unknown layer type ${JSON.stringify(type)}`);
  return d;
}

export type { ActivationLayer, BatchNormLayer, Conv2dLayer, DenseLayer, DropoutLayer, FlattenLayer, GlobalAvgPool2dLayer, InceptionBlock, InputLayer, AvgPool2dLayer, MaxPool2dLayer, ResidualBlock };
export type { Size2 } from './params.js';
