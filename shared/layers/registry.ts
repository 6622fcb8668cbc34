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
import { reshape, type ReshapeLayer } from './defs/reshape.js';
import { conv1d, type Conv1dLayer } from './defs/conv1d.js';
import { depthwiseConv2d, type DepthwiseConv2dLayer } from './defs/depthwise-conv2d.js';
import { separableConv2d, type SeparableConv2dLayer } from './defs/separable-conv2d.js';
import { upSampling2d, type UpSampling2dLayer } from './defs/up-sampling2d.js';
import { maxPool1d, type MaxPool1dLayer } from './defs/max-pool1d.js';
import { globalAvgPool1d, globalMaxPool1d, type GlobalAvgPool1dLayer, type GlobalMaxPool1dLayer } from './defs/global-pool1d.js';
import { globalMaxPool2d, type GlobalMaxPool2dLayer } from './defs/global-max-pool2d.js';
import { embedding, type EmbeddingLayer } from './defs/embedding.js';
import { positionEmbedding, type PositionEmbeddingLayer } from './defs/position-embedding.js';
import { lstm, type LstmLayer } from './defs/lstm.js';
import { gru, type GruLayer } from './defs/gru.js';
import { multiHeadAttention, type MultiHeadAttentionLayer } from './defs/multi-head-attention.js';
import { layerNorm, type LayerNormLayer } from './defs/layer-norm.js';
import { transformerEncoder, type TransformerEncoderBlock } from './defs/transformer-encoder.js';

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
  | InceptionBlock
  | ReshapeLayer
  | Conv1dLayer
  | DepthwiseConv2dLayer
  | SeparableConv2dLayer
  | UpSampling2dLayer
  | MaxPool1dLayer
  | GlobalAvgPool1dLayer
  | GlobalMaxPool1dLayer
  | GlobalMaxPool2dLayer
  | EmbeddingLayer
  | PositionEmbeddingLayer
  | LstmLayer
  | GruLayer
  | MultiHeadAttentionLayer
  | LayerNormLayer
  | TransformerEncoderBlock;

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
  reshape,
  conv1d,
  depthwiseConv2d,
  separableConv2d,
  upSampling2d,
  maxPool1d,
  globalAvgPool1d,
  globalMaxPool1d,
  globalMaxPool2d,
  embedding,
  positionEmbedding,
  lstm,
  gru,
  multiHeadAttention,
  layerNorm,
  transformerEncoder,
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
export type {
  Conv1dLayer,
  DepthwiseConv2dLayer,
  EmbeddingLayer,
  GlobalAvgPool1dLayer,
  GlobalMaxPool1dLayer,
  GlobalMaxPool2dLayer,
  GruLayer,
  LayerNormLayer,
  LstmLayer,
  MaxPool1dLayer,
  MultiHeadAttentionLayer,
  PositionEmbeddingLayer,
  ReshapeLayer,
  SeparableConv2dLayer,
  TransformerEncoderBlock,
  UpSampling2dLayer,
};
export type { Size2 } from './params.js';
