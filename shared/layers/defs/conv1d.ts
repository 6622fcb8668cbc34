import { defineLayer } from '../descriptor.js';
import { activationText, sequenceInput, windowOutput1d } from '../shapes.js';
import { paddingParam, positiveInt, text, weightedParams, WEIGHTED_TRICKS, type Padding, type WeightedFields } from '../params.js';

export interface Conv1dLayer extends WeightedFields {
  type: 'conv1d';
  name?: string;
  filters: number;
  kernelSize: number;
  strides?: number;
  /** tfjs-layers 4.22 throws NotImplementedError for 'causal': not offered. */
  padding?: Padding;
}

export const conv1d = defineLayer<Conv1dLayer>({
  type: 'conv1d',
  category: 'convolution',
  text: {
    label: text('Convolution 1D', '一维卷积'),
    summary: text(
      'Slides learned filters along a sequence [steps, features]: finds short local patterns (a motif, a rising edge) wherever they occur.',
      '沿序列 [步数, 特征数] 滑动可学习的卷积核：无论短小的局部模式（一个片段、一次上升）出现在哪里都能发现。',
    ),
  },
  params: {
    filters: positiveInt(text('Filters', '卷积核数')),
    kernelSize: positiveInt(text('Kernel size', '卷积核大小')),
    strides: positiveInt(text('Strides', '步幅'), { optional: true, default: 1 }),
    padding: paddingParam,
    ...weightedParams,
  },
  create: () => ({ type: 'conv1d', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
  describe: (l) =>
    `conv1d ${l.filters}×${l.kernelSize}${l.strides && l.strides !== 1 ? ` /${l.strides}` : ''}${l.padding === 'same' ? ' same' : ''}${activationText(l.activation)}`,
  infer(layer, input, ctx) {
    const x = sequenceInput('conv1d', input, ctx);
    if (!x) return null;
    const steps = windowOutput1d(x[0]!, layer.kernelSize, layer.strides ?? 1, layer.padding ?? 'valid', 'kernelSize', ctx);
    if (steps === null) return null;
    const params = layer.kernelSize * x[1]! * layer.filters + (layer.useBias === false ? 0 : layer.filters);
    return { outputShape: [steps, layer.filters], params };
  },
  weighted: true,
  // As for conv2d, the dropout trick adds dropout after hidden dense layers only.
  tricks: { ...WEIGHTED_TRICKS, dropout: false },
});
