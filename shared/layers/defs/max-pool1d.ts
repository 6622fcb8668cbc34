import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { paddingParam, positiveInt, text, type Padding } from '../params.js';
import { sequenceInput, windowOutput1d } from '../shapes.js';

export interface MaxPool1dLayer {
  type: 'maxPool1d';
  name?: string;
  poolSize: number;
  /** Defaults to poolSize. */
  strides?: number;
  padding?: Padding;
}

export const maxPool1d = defineLayer<MaxPool1dLayer>({
  type: 'maxPool1d',
  category: 'pooling',
  text: {
    label: text('Max pooling 1D', '一维最大池化'),
    summary: text(
      'Keeps the strongest response in each window of steps: shortens a sequence and tolerates small shifts in time.',
      '保留每个步数窗口内最强的响应：缩短序列，并对时间上的小平移不敏感。',
    ),
  },
  params: {
    poolSize: positiveInt(text('Pool size', '池化大小')),
    strides: positiveInt(text('Strides', '步幅'), { optional: true }),
    padding: paddingParam,
  },
  create: () => ({ type: 'maxPool1d', poolSize: 2 }),
  describe: (l) => `maxPool1d ${l.poolSize}${l.strides && l.strides !== l.poolSize ? ` /${l.strides}` : ''}${l.padding === 'same' ? ' same' : ''}`,
  infer(layer, input, ctx) {
    const x = sequenceInput('maxPool1d', input, ctx);
    if (!x) return null;
    const steps = windowOutput1d(x[0]!, layer.poolSize, layer.strides ?? layer.poolSize, layer.padding ?? 'valid', 'poolSize', ctx);
    return steps === null ? null : { outputShape: [steps, x[1]!] };
  },
  tricks: NO_TRICKS,
});
