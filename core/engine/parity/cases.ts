// The parity cases: every layer type and block the spec supports, every loss, and every trick that touches the
// gradients or the step. Each is a small network on real MNIST digits (28×28×1, scaled to [0, 1]).
import type { LayerSpec, LossName, ModelSpec } from '../../../shared/index.js';

export interface ParityCase {
  name: string;
  /** What it covers, for the report. */
  group: 'layer' | 'block' | 'activation' | 'loss' | 'trick' | 'reference';
  spec: ModelSpec;
  /** Tricks for parseTrainingConfig (expandSpec applies batch norm, dropout and L1/L2 from these). */
  tricks?: Record<string, unknown>;
  /** false: the forward pass and gradients in inference mode (batch norm's moving statistics). Default true. */
  training?: boolean;
  /** Also take one optimizer step with applyUpdate (clipping, decoupled decay) and compare each weight's change. */
  step?: boolean;
  /** Float64 reference (checks the cpu backend itself): which net referenceNet64 computes. */
  reference?: 'dense' | 'conv';
  /** Part of the small budget that runs inside `npm test`. */
  quick?: boolean;
  /** 'tokens': the digits as 49 token ids (4×4 blocks' mean ink in 8 levels, see run.ts) instead of pixels. */
  input?: 'tokens';
}

const IMAGE = [28, 28, 1];
/** Token inputs: 49 ids in [0, TOKEN_LEVELS). */
export const TOKEN_STEPS = 49;
export const TOKEN_LEVELS = 8;

function net(name: string, loss: LossName, layers: LayerSpec[], head: LayerSpec | null = { type: 'dense', units: 10, activation: outputActivation(loss) }): ModelSpec {
  return {
    version: 1,
    name,
    loss,
    layers: [{ type: 'input', shape: IMAGE }, ...layers, { type: 'flatten' }, ...(head ? [head] : [])],
  };
}

function outputActivation(loss: LossName): 'softmax' | 'sigmoid' | 'linear' {
  return loss === 'categoricalCrossentropy' ? 'softmax' : loss === 'binaryCrossentropy' ? 'sigmoid' : 'linear';
}

const ce = (name: string, layers: LayerSpec[]) => net(name, 'categoricalCrossentropy', layers);
/** The digits' rows as a sequence [28 steps, 28 features]. */
const rows: LayerSpec = { type: 'reshape', targetShape: [28, 28] };
/** A sequence of 8 features per row: what attention and the transformer read. */
const rowFeatures: LayerSpec[] = [rows, { type: 'dense', units: 8, activation: 'tanh' }];
const tokens = (name: string, layers: LayerSpec[]): ModelSpec => ({
  version: 1,
  name,
  loss: 'categoricalCrossentropy',
  layers: [{ type: 'input', shape: [TOKEN_STEPS] }, { type: 'embedding', inputDim: TOKEN_LEVELS, outputDim: 6 }, ...layers, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }],
});
const conv = (filters: number, kernelSize: number, strides: number, padding: 'valid' | 'same', activation: 'relu' | 'linear' | 'tanh' = 'relu'): LayerSpec => ({
  type: 'conv2d',
  filters,
  kernelSize,
  strides,
  padding,
  activation,
});

/** A dense hidden layer, then the activation under test as its own layer. */
function activationCase(activation: 'relu' | 'leakyRelu' | 'elu' | 'sigmoid' | 'tanh' | 'softmax' | 'linear', quick = false): ParityCase {
  return {
    name: `activation ${activation}`,
    group: 'activation',
    quick,
    spec: ce(`act-${activation}`, [{ type: 'flatten' }, { type: 'dense', units: 24 }, { type: 'activation', activation }]),
  };
}

export const PARITY_CASES: readonly ParityCase[] = [
  // Float64 references: the cpu backend against plain JS float64, and every other backend against cpu.
  {
    name: 'reference: dense (float64)',
    group: 'reference',
    reference: 'dense',
    quick: true,
    spec: ce('ref-dense', []),
  },
  {
    name: 'reference: conv2d 3×3 same s2 + relu (float64)',
    group: 'reference',
    reference: 'conv',
    quick: true,
    spec: ce('ref-conv', [conv(4, 3, 2, 'same')]),
  },
  { name: 'dense', group: 'layer', quick: true, spec: ce('dense', [{ type: 'flatten' }, { type: 'dense', units: 32, activation: 'relu' }]) },
  { name: 'conv2d 3×3 valid s1', group: 'layer', spec: ce('conv-v1', [conv(4, 3, 1, 'valid')]) },
  { name: 'conv2d 3×3 same s1', group: 'layer', spec: ce('conv-s1', [conv(4, 3, 1, 'same')]) },
  { name: 'conv2d 3×3 valid s2', group: 'layer', spec: ce('conv-v2', [conv(4, 3, 2, 'valid')]) },
  { name: 'conv2d 5×5 same s2', group: 'layer', quick: true, spec: ce('conv-s2', [conv(4, 5, 2, 'same')]) },
  {
    name: 'maxPool2d 2 valid (after a linear conv: ties, negative windows)',
    group: 'layer',
    quick: true,
    spec: ce('maxpool', [conv(4, 3, 1, 'same', 'linear'), { type: 'maxPool2d', poolSize: 2 }]),
  },
  {
    name: 'maxPool2d 3 s2 same (overlapping windows)',
    group: 'layer',
    spec: ce('maxpool-same', [conv(4, 3, 1, 'same', 'linear'), { type: 'maxPool2d', poolSize: 3, strides: 2, padding: 'same' }]),
  },
  {
    name: 'maxPool2d 2 after conv + leakyRelu',
    group: 'layer',
    spec: ce('maxpool-leaky', [conv(4, 3, 1, 'same', 'linear'), { type: 'activation', activation: 'leakyRelu', alpha: 0.1 }, { type: 'maxPool2d', poolSize: 2 }]),
  },
  {
    name: 'maxPool2d on the digits, then conv (forward ties)',
    group: 'layer',
    spec: ce('maxpool-raw', [{ type: 'maxPool2d', poolSize: 2 }, conv(4, 3, 1, 'valid')]),
  },
  { name: 'avgPool2d 2 valid', group: 'layer', spec: ce('avgpool', [conv(4, 3, 1, 'valid'), { type: 'avgPool2d', poolSize: 2 }]) },
  {
    name: 'avgPool2d 3 s2 same',
    group: 'layer',
    spec: ce('avgpool-same', [conv(4, 3, 1, 'valid'), { type: 'avgPool2d', poolSize: 3, strides: 2, padding: 'same' }]),
  },
  { name: 'globalAvgPool2d', group: 'layer', spec: ce('gap', [conv(8, 3, 2, 'same'), { type: 'globalAvgPool2d' }]) },
  { name: 'flatten', group: 'layer', spec: ce('flatten', [{ type: 'avgPool2d', poolSize: 4 }, { type: 'flatten' }]) },
  {
    name: 'batchNorm (training)',
    group: 'layer',
    quick: true,
    spec: ce('bn-train', [conv(4, 3, 2, 'same', 'linear'), { type: 'batchNorm' }, { type: 'activation', activation: 'relu' }]),
  },
  {
    name: 'batchNorm (inference)',
    group: 'layer',
    training: false,
    spec: ce('bn-infer', [conv(4, 3, 2, 'same', 'linear'), { type: 'batchNorm' }, { type: 'activation', activation: 'relu' }]),
  },
  {
    name: 'dropout 0.5 (seeded mask)',
    group: 'layer',
    quick: true,
    spec: ce('dropout', [{ type: 'flatten' }, { type: 'dense', units: 32, activation: 'relu' }, { type: 'dropout', rate: 0.5 }]),
  },
  activationCase('relu'),
  activationCase('leakyRelu', true),
  activationCase('elu'),
  activationCase('sigmoid'),
  activationCase('tanh'),
  activationCase('softmax'),
  activationCase('linear'),
  {
    name: 'residual (identity shortcut)',
    group: 'block',
    quick: true,
    spec: ce('res-id', [
      conv(4, 3, 2, 'same'),
      { type: 'residual', activation: 'relu', layers: [conv(4, 3, 1, 'same'), conv(4, 3, 1, 'same', 'linear')] },
    ]),
  },
  {
    name: 'residual (projection, stride 2)',
    group: 'block',
    spec: ce('res-proj', [conv(4, 3, 2, 'same'), { type: 'residual', activation: 'relu', layers: [conv(8, 3, 2, 'same')] }]),
  },
  {
    name: 'residual (dense, projection)',
    group: 'block',
    spec: ce('res-dense', [{ type: 'flatten' }, { type: 'residual', activation: 'tanh', layers: [{ type: 'dense', units: 16, activation: 'relu' }] }]),
  },
  {
    name: 'inception (1×1, 3×3, pool→1×1)',
    group: 'block',
    quick: true,
    spec: ce('inception', [
      conv(4, 3, 2, 'same'),
      {
        type: 'inception',
        branches: [
          [conv(2, 1, 1, 'same')],
          [conv(3, 3, 1, 'same')],
          [{ type: 'maxPool2d', poolSize: 3, strides: 1, padding: 'same' }, conv(2, 1, 1, 'same')],
        ],
      },
    ]),
  },
  // Sequences (issue 20): the digits' rows as 28 steps, or as 49 token ids.
  { name: 'reshape + conv1d 3 same s2 + maxPool1d 2', group: 'layer', spec: ce('conv1d', [rows, { type: 'conv1d', filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }, { type: 'maxPool1d', poolSize: 2 }]) },
  { name: 'conv1d 5 valid + globalMaxPool1d', group: 'layer', spec: ce('conv1d-gmp', [rows, { type: 'conv1d', filters: 6, kernelSize: 5, activation: 'linear' }, { type: 'globalMaxPool1d' }]) },
  { name: 'globalAvgPool1d', group: 'layer', spec: ce('gap1d', [rows, { type: 'conv1d', filters: 6, kernelSize: 3, activation: 'elu' }, { type: 'globalAvgPool1d' }]) },
  { name: 'lstm (last step)', group: 'layer', quick: true, spec: ce('lstm', [rows, { type: 'lstm', units: 8 }]) },
  { name: 'lstm (sequences) + layerNorm', group: 'layer', spec: ce('lstm-seq', [rows, { type: 'lstm', units: 6, returnSequences: true }, { type: 'layerNorm' }]) },
  { name: 'gru (last step, relu)', group: 'layer', quick: true, spec: ce('gru', [rows, { type: 'gru', units: 8, activation: 'relu' }]) },
  { name: 'gru (sequences)', group: 'layer', spec: ce('gru-seq', [rows, { type: 'gru', units: 5, returnSequences: true }]) },
  { name: 'embedding (tokens) + conv1d', group: 'layer', quick: true, input: 'tokens', spec: tokens('embedding', [{ type: 'conv1d', filters: 4, kernelSize: 3, activation: 'relu' }]) },
  { name: 'embedding (tokens) + gru', group: 'layer', input: 'tokens', spec: tokens('embedding-gru', [{ type: 'gru', units: 6, returnSequences: true }]) },
  {
    name: 'positionEmbedding + multiHeadAttention 2×4',
    group: 'layer',
    quick: true,
    spec: ce('attention', [...rowFeatures, { type: 'positionEmbedding' }, { type: 'multiHeadAttention', numHeads: 2, keyDim: 4 }, { type: 'globalAvgPool1d' }]),
  },
  { name: 'layerNorm on image channels', group: 'layer', spec: ce('ln-image', [conv(4, 3, 2, 'same', 'linear'), { type: 'layerNorm', epsilon: 0.01 }]) },
  { name: 'depthwiseConv2d 3×3 same ×2', group: 'layer', quick: true, spec: ce('depthwise', [conv(3, 3, 2, 'same'), { type: 'depthwiseConv2d', kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' }]) },
  { name: 'depthwiseConv2d 5×3 valid s2 (on the digits)', group: 'layer', spec: ce('depthwise-s2', [{ type: 'depthwiseConv2d', kernelSize: [5, 3], strides: 2, activation: 'tanh' }]) },
  { name: 'separableConv2d 3×3 same s2', group: 'layer', spec: ce('separable', [conv(3, 3, 2, 'same'), { type: 'separableConv2d', filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }]) },
  { name: 'upSampling2d nearest', group: 'layer', spec: ce('upsample', [conv(4, 3, 4, 'same'), { type: 'upSampling2d', size: 2 }, conv(2, 3, 1, 'valid')]) },
  { name: 'upSampling2d bilinear', group: 'layer', spec: ce('upsample-bilinear', [conv(4, 3, 4, 'same'), { type: 'upSampling2d', size: [2, 3], interpolation: 'bilinear' }, conv(2, 3, 2, 'valid')]) },
  { name: 'globalMaxPool2d', group: 'layer', spec: ce('gmp2d', [conv(8, 3, 2, 'same', 'linear'), { type: 'globalMaxPool2d' }]) },
  { name: 'reshape (image → image)', group: 'layer', spec: ce('reshape', [conv(4, 3, 2, 'same'), { type: 'reshape', targetShape: [7, 28, 4] }, conv(2, 3, 1, 'same')]) },
  {
    name: 'transformerEncoder (post-norm, projected feed-forward)',
    group: 'block',
    quick: true,
    spec: ce('transformer', [...rowFeatures, { type: 'transformerEncoder', numHeads: 2, keyDim: 4, feedForward: [{ type: 'dense', units: 12, activation: 'relu' }] }]),
  },
  {
    name: 'transformerEncoder (norm first, dropout 0.2)',
    group: 'block',
    spec: ce('transformer-pre', [...rowFeatures, { type: 'transformerEncoder', numHeads: 1, keyDim: 6, normFirst: true, dropout: 0.2, feedForward: [{ type: 'dense', units: 8, activation: 'elu' }] }]),
  },
  { name: 'loss categoricalCrossentropy', group: 'loss', spec: ce('loss-cce', [{ type: 'flatten' }, { type: 'dense', units: 16, activation: 'tanh' }]) },
  {
    name: 'loss binaryCrossentropy',
    group: 'loss',
    quick: true,
    spec: net('loss-bce', 'binaryCrossentropy', [{ type: 'flatten' }, { type: 'dense', units: 16, activation: 'tanh' }]),
  },
  {
    name: 'loss meanSquaredError',
    group: 'loss',
    quick: true,
    spec: net('loss-mse', 'meanSquaredError', [{ type: 'flatten' }, { type: 'dense', units: 16, activation: 'tanh' }]),
  },
  { name: 'trick L1', group: 'trick', step: true, tricks: { l1: { lambda: 1e-3 } }, spec: ce('l1', [conv(4, 3, 2, 'same')]) },
  { name: 'trick L2', group: 'trick', step: true, quick: true, tricks: { l2: { lambda: 1e-2 } }, spec: ce('l2', [conv(4, 3, 2, 'same')]) },
  { name: 'trick clipValue', group: 'trick', step: true, tricks: { clipValue: { clipValue: 0.01 } }, spec: ce('clipv', [conv(4, 3, 2, 'same')]) },
  { name: 'trick clipNorm', group: 'trick', step: true, quick: true, tricks: { clipNorm: { maxNorm: 0.1 } }, spec: ce('clipn', [conv(4, 3, 2, 'same')]) },
  {
    name: 'trick weightDecay (AdamW decay)',
    group: 'trick',
    step: true,
    tricks: { weightDecay: { rate: 0.05 } },
    spec: ce('wd', [conv(4, 3, 2, 'same')]),
  },
  {
    name: 'trick weightDecay + L2 on lstm and attention kernels',
    group: 'trick',
    step: true,
    tricks: { weightDecay: { rate: 0.05 }, l2: { lambda: 1e-2 } },
    spec: ce('wd-seq', [rows, { type: 'lstm', units: 4, returnSequences: true }, { type: 'multiHeadAttention', numHeads: 1, keyDim: 4 }]),
  },
  {
    name: 'tricks batchNorm + dropout (expanded spec)',
    group: 'trick',
    step: true,
    tricks: { batchNorm: {}, dropout: { rate: 0.3 } },
    spec: ce('bn-dropout', [conv(4, 3, 2, 'same'), { type: 'flatten' }, { type: 'dense', units: 16, activation: 'relu' }]),
  },
];
