import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { text } from '../params.js';
import { describePool, inferPool, poolParams, type Pool2dFields } from '../pooling.js';

export interface AvgPool2dLayer extends Pool2dFields {
  type: 'avgPool2d';
}

export const avgPool2d = defineLayer<AvgPool2dLayer>({
  type: 'avgPool2d',
  category: 'pooling',
  text: {
    label: text('Average pooling', '平均池化'),
    summary: text('Averages each window: lowers the resolution smoothly, keeping every pixel\'s contribution.', '对每个窗口取平均：平滑地降低分辨率，保留每个像素的贡献。'),
  },
  params: poolParams,
  create: () => ({ type: 'avgPool2d', poolSize: 2 }),
  describe: (l) => describePool('avgPool2d', l),
  infer: (l, input, ctx) => inferPool('avgPool2d', l, input, ctx),
  tricks: NO_TRICKS,
});
