import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { text } from '../params.js';
import { describePool, inferPool, poolParams, type Pool2dFields } from '../pooling.js';

export interface MaxPool2dLayer extends Pool2dFields {
  type: 'maxPool2d';
}

export const maxPool2d = defineLayer<MaxPool2dLayer>({
  type: 'maxPool2d',
  category: 'pooling',
  text: {
    label: text('Max pooling', '最大池化'),
    summary: text('Keeps the strongest response in each window: halves the resolution and tolerates small shifts.', '保留每个窗口内最强的响应：降低分辨率，并对小的平移不敏感。'),
  },
  params: poolParams,
  create: () => ({ type: 'maxPool2d', poolSize: 2 }),
  describe: (l) => describePool('maxPool2d', l),
  infer: (l, input, ctx) => inferPool('maxPool2d', l, input, ctx),
  tricks: NO_TRICKS,
});
