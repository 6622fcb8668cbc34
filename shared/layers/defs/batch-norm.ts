import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { numberParam, text } from '../params.js';

export interface BatchNormLayer {
  type: 'batchNorm';
  name?: string;
  momentum?: number;
  epsilon?: number;
}

export const batchNorm = defineLayer<BatchNormLayer>({
  type: 'batchNorm',
  category: 'normalisation',
  text: {
    label: text('Batch norm', '批归一化'),
    summary: text('Re-centres and re-scales each channel with the batch\'s statistics (moving averages at inference): steadier, faster training.', '用批次统计量（推理时用滑动平均）对每个通道重新居中和缩放：训练更稳定、更快。'),
  },
  params: {
    momentum: numberParam(text('Momentum', '动量'), { min: 0, minExclusive: true, max: 1, maxExclusive: true, optional: true, default: 0.99, step: 0.01 }),
    epsilon: numberParam(text('Epsilon', 'Epsilon'), { min: 0, minExclusive: true, optional: true, default: 0.001, step: 0.001 }),
  },
  create: () => ({ type: 'batchNorm' }),
  describe: () => 'batchNorm',
  infer(_l, input) {
    // Scale and offset train; the moving mean and variance count too (tfjs's countParams includes them).
    const channels = input[input.length - 1]!;
    return { outputShape: input, params: 4 * channels, trainableParams: 2 * channels };
  },
  tricks: NO_TRICKS,
});
