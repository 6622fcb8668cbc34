// The model spec: a JSON-serialisable description of a network as a stack of layers.
// Pure TypeScript (no node, DOM, electron or tfjs): the editor, the engine and the CLI all read it.

export const ACTIVATIONS = ['relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh', 'softmax', 'linear'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Weight initialisers, named for what they draw. `normal` is N(0, 1): the note's bad baseline. */
export const INITIALIZERS = [
  'uniform',
  'normal',
  'lecunNormal',
  'glorotNormal',
  'glorotUniform',
  'heNormal',
  'heUniform',
] as const;
export type InitializerName = (typeof INITIALIZERS)[number];

export const LOSSES = ['categoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError'] as const;
export type LossName = (typeof LOSSES)[number];

export const PADDINGS = ['valid', 'same'] as const;
export type Padding = (typeof PADDINGS)[number];

/** A square size (3) or [height, width]. */
export type Size2 = number | [number, number];

export interface RegularizerSpec {
  l1?: number;
  l2?: number;
}

interface LayerBase {
  /** Optional label the user gives a layer; shown on its card. */
  name?: string;
}

interface WeightedLayerBase extends LayerBase {
  activation?: ActivationName;
  useBias?: boolean;
  /** When absent the run's init trick decides, else Glorot uniform (the tfjs/Keras default). */
  initializer?: InitializerName;
  /** When absent the run's L1/L2 tricks decide. */
  regularizer?: RegularizerSpec;
}

export interface InputLayer extends LayerBase {
  type: 'input';
  /** [features] or [height, width, channels]. */
  shape: number[];
}

export interface DenseLayer extends WeightedLayerBase {
  type: 'dense';
  units: number;
}

export interface Conv2dLayer extends WeightedLayerBase {
  type: 'conv2d';
  filters: number;
  kernelSize: Size2;
  strides?: Size2;
  padding?: Padding;
}

export interface Pool2dLayer extends LayerBase {
  type: 'maxPool2d' | 'avgPool2d';
  poolSize: Size2;
  /** Defaults to poolSize. */
  strides?: Size2;
  padding?: Padding;
}

export interface GlobalAvgPool2dLayer extends LayerBase {
  type: 'globalAvgPool2d';
}

export interface FlattenLayer extends LayerBase {
  type: 'flatten';
}

export interface DropoutLayer extends LayerBase {
  type: 'dropout';
  rate: number;
}

export interface BatchNormLayer extends LayerBase {
  type: 'batchNorm';
  momentum?: number;
  epsilon?: number;
}

export interface ActivationLayer extends LayerBase {
  type: 'activation';
  activation: ActivationName;
  /** Slope for leakyRelu (default 0.3), scale for elu (default 1). */
  alpha?: number;
}

/** A nested stack whose output is added to its input; a 1×1 projection is inserted when shapes differ. */
export interface ResidualBlock extends LayerBase {
  type: 'residual';
  layers: LayerSpec[];
  /** Applied after the addition (ResNet uses relu). */
  activation?: ActivationName;
}

/** Parallel branches over the same input, concatenated on channels. */
export interface InceptionBlock extends LayerBase {
  type: 'inception';
  branches: LayerSpec[][];
}

export type LayerSpec =
  | InputLayer
  | DenseLayer
  | Conv2dLayer
  | Pool2dLayer
  | GlobalAvgPool2dLayer
  | FlattenLayer
  | DropoutLayer
  | BatchNormLayer
  | ActivationLayer
  | ResidualBlock
  | InceptionBlock;

export type LayerType = LayerSpec['type'];

export const LAYER_TYPES = [
  'input',
  'dense',
  'conv2d',
  'maxPool2d',
  'avgPool2d',
  'globalAvgPool2d',
  'flatten',
  'dropout',
  'batchNorm',
  'activation',
  'residual',
  'inception',
] as const satisfies readonly LayerType[];

export const MODEL_SPEC_VERSION = 1;

export interface ModelSpec {
  version: typeof MODEL_SPEC_VERSION;
  name: string;
  description?: string;
  loss: LossName;
  /** layers[0] is the input layer. */
  layers: LayerSpec[];
}

export type WeightedLayer = DenseLayer | Conv2dLayer;

export function isWeighted(layer: LayerSpec): layer is WeightedLayer {
  return layer.type === 'dense' || layer.type === 'conv2d';
}

export function size2(size: Size2): [number, number] {
  return typeof size === 'number' ? [size, size] : [size[0], size[1]];
}
