import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { numberParam, text } from '../params.js';

export interface LayerNormLayer {
  type: 'layerNorm';
  name?: string;
  epsilon?: number;
}

export const EPSILON_PARAM = numberParam(text('Epsilon', 'Epsilon'), { min: 0, minExclusive: true, optional: true, default: 0.001, step: 0.001 });

export const layerNorm = defineLayer<LayerNormLayer>({
  type: 'layerNorm',
  category: 'normalisation',
  text: {
    label: text('Layer norm', '层归一化'),
    summary: text(
      'Re-centres and re-scales each sample\'s features by their own mean and spread (no batch statistics): the normalisation of transformers and recurrent nets.',
      '用每个样本自身特征的均值和离散程度重新居中和缩放（不用批次统计量）：Transformer 和循环网络所用的归一化。',
    ),
  },
  params: { epsilon: EPSILON_PARAM },
  create: () => ({ type: 'layerNorm' }),
  describe: () => 'layerNorm',
  // A scale and an offset per feature of the last axis, both trained.
  infer: (_l, input) => ({ outputShape: input, params: 2 * input[input.length - 1]! }),
  tricks: NO_TRICKS,
});
