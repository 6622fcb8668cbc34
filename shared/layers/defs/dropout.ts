import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { numberParam, text } from '../params.js';

export interface DropoutLayer {
  type: 'dropout';
  name?: string;
  rate: number;
}

export const dropout = defineLayer<DropoutLayer>({
  type: 'dropout',
  category: 'regularisation',
  text: {
    label: text('Dropout', 'Dropout'),
    summary: text('While training, zeroes each value with probability rate and scales the rest up; does nothing at inference.', '训练时以给定概率把每个值置零并放大其余值；推理时不起作用。'),
  },
  params: { rate: numberParam(text('Rate', '比率'), { min: 0, max: 1, maxExclusive: true, step: 0.05 }) },
  create: () => ({ type: 'dropout', rate: 0.25 }),
  describe: (l) => `dropout ${l.rate}`,
  infer: (_l, input) => ({ outputShape: input }),
  tricks: NO_TRICKS,
});
