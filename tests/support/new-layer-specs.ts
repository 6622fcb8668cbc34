// Specs that hold every layer type issue 20 added (and the old ones on sequences), each on the kind of input it
// reads: token ids, a series [steps, features] or an image. Build, export and import tests run them all.
import type { ModelSpec, LayerSpec } from '../../shared/index.js';

export type InputKind = 'tokens' | 'series' | 'image';

export interface LayerCase {
  name: string;
  input: InputKind;
  /** Token inputs: ids 0 … vocabulary − 1. */
  vocabulary?: number;
  spec: ModelSpec;
}

const spec = (name: string, shape: number[], layers: LayerSpec[]): ModelSpec => ({
  version: 1,
  name,
  loss: 'categoricalCrossentropy',
  layers: [{ type: 'input', shape }, ...layers, { type: 'dense', units: 3, activation: 'softmax' }],
});

export const LAYER_CASES: readonly LayerCase[] = [
  {
    name: 'embedding, position embedding, attention, layer norm, global average pooling 1D',
    input: 'tokens',
    vocabulary: 20,
    spec: spec('tokens-attention', [12], [
      { type: 'embedding', inputDim: 20, outputDim: 8 },
      { type: 'positionEmbedding' },
      { type: 'multiHeadAttention', numHeads: 2, keyDim: 4 },
      { type: 'layerNorm', epsilon: 0.01 },
      { type: 'globalAvgPool1d' },
    ]),
  },
  {
    name: 'transformer encoder (post-norm, dropout, projected feed-forward), global max pooling 1D',
    input: 'tokens',
    vocabulary: 16,
    spec: spec('tokens-transformer', [10], [
      { type: 'embedding', inputDim: 16, outputDim: 8 },
      { type: 'transformerEncoder', numHeads: 2, keyDim: 4, dropout: 0.1, feedForward: [{ type: 'dense', units: 12, activation: 'relu' }] },
      { type: 'globalMaxPool1d' },
    ]),
  },
  {
    name: 'conv1d (same, strided), maxPool1d, lstm with sequences, gru',
    input: 'series',
    spec: spec('series-recurrent', [16, 2], [
      { type: 'conv1d', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'conv1d', filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' },
      { type: 'maxPool1d', poolSize: 3, strides: 1, padding: 'same' },
      { type: 'lstm', units: 5, returnSequences: true },
      { type: 'gru', units: 4, activation: 'relu' },
    ]),
  },
  {
    name: 'transformer encoder (norm first, own width), dense and batch norm on steps, flatten',
    input: 'series',
    spec: spec('series-transformer', [8, 3], [
      { type: 'dense', units: 6, activation: 'elu' },
      {
        type: 'transformerEncoder',
        numHeads: 3,
        keyDim: 2,
        normFirst: true,
        feedForward: [
          { type: 'dense', units: 10, activation: 'relu' },
          { type: 'dense', units: 6 },
        ],
      },
      { type: 'batchNorm' },
      { type: 'lstm', units: 4, returnSequences: true, useBias: false },
      { type: 'flatten' },
    ]),
  },
  {
    name: 'depthwise, separable, up-sampling (nearest, bilinear), global max pooling',
    input: 'image',
    spec: spec('image-separable', [8, 8, 2], [
      { type: 'depthwiseConv2d', kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' },
      { type: 'separableConv2d', filters: 5, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'leakyRelu' },
      { type: 'upSampling2d', size: [2, 1] },
      { type: 'depthwiseConv2d', kernelSize: 3, strides: 2, useBias: false },
      { type: 'upSampling2d', interpolation: 'bilinear' },
      { type: 'globalMaxPool2d' },
    ]),
  },
  {
    name: 'reshape (image → sequence → image), conv1d valid, gru',
    input: 'image',
    spec: spec('image-reshape', [8, 8, 2], [
      { type: 'reshape', targetShape: [16, 8] },
      { type: 'conv1d', filters: 6, kernelSize: 2, strides: 2 },
      { type: 'reshape', targetShape: [4, 2, 6] },
      { type: 'conv2d', filters: 3, kernelSize: 2, padding: 'same', activation: 'relu' },
      { type: 'reshape', targetShape: [8, 3] },
      { type: 'gru', units: 4, returnSequences: true },
      { type: 'globalAvgPool1d' },
    ]),
  },
];

/** The input shape of a case (its spec's first layer). */
export const inputShapeOf = (c: LayerCase) => (c.spec.layers[0] as { shape: number[] }).shape;
