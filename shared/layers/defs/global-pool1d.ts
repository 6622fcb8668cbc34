import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { text } from '../params.js';
import { sequenceInput } from '../shapes.js';

export interface GlobalAvgPool1dLayer {
  type: 'globalAvgPool1d';
  name?: string;
}

export interface GlobalMaxPool1dLayer {
  type: 'globalMaxPool1d';
  name?: string;
}

export const globalAvgPool1d = defineLayer<GlobalAvgPool1dLayer>({
  type: 'globalAvgPool1d',
  category: 'pooling',
  text: {
    label: text('Global average pooling 1D', '一维全局平均池化'),
    summary: text(
      'Averages each feature over all steps: one vector per sequence, whatever its length, for a dense head.',
      '对每个特征在所有步上取平均：每个序列得到一个向量（与长度无关），供全连接头使用。',
    ),
  },
  params: {},
  create: () => ({ type: 'globalAvgPool1d' }),
  describe: () => 'globalAvgPool1d',
  infer(_l, input, ctx) {
    const x = sequenceInput('globalAvgPool1d', input, ctx);
    return x ? { outputShape: [x[1]!] } : null;
  },
  tricks: NO_TRICKS,
});

export const globalMaxPool1d = defineLayer<GlobalMaxPool1dLayer>({
  type: 'globalMaxPool1d',
  category: 'pooling',
  text: {
    label: text('Global max pooling 1D', '一维全局最大池化'),
    summary: text(
      'Keeps each feature\'s strongest response over all steps: "did this pattern occur anywhere in the sequence?"',
      '保留每个特征在所有步上的最强响应：“这个模式是否在序列中的任何位置出现过？”',
    ),
  },
  params: {},
  create: () => ({ type: 'globalMaxPool1d' }),
  describe: () => 'globalMaxPool1d',
  infer(_l, input, ctx) {
    const x = sequenceInput('globalMaxPool1d', input, ctx);
    return x ? { outputShape: [x[1]!] } : null;
  },
  tricks: NO_TRICKS,
});
