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
}

const IMAGE = [28, 28, 1];

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
    name: 'tricks batchNorm + dropout (expanded spec)',
    group: 'trick',
    step: true,
    tricks: { batchNorm: {}, dropout: { rate: 0.3 } },
    spec: ce('bn-dropout', [conv(4, 3, 2, 'same'), { type: 'flatten' }, { type: 'dense', units: 16, activation: 'relu' }]),
  },
];
