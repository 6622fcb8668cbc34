import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { text } from '../params.js';
import { imageInput } from '../shapes.js';

export interface GlobalAvgPool2dLayer {
  type: 'globalAvgPool2d';
  name?: string;
}

export const globalAvgPool2d = defineLayer<GlobalAvgPool2dLayer>({
  type: 'globalAvgPool2d',
  category: 'pooling',
  text: {
    label: text('Global average pooling', '全局平均池化'),
    summary: text('Averages each channel over the whole image: one number per feature map, a light replacement for flatten.', '对每个通道在整幅图像上取平均：每个特征图得到一个数，是展平的轻量替代。'),
  },
  params: {},
  create: () => ({ type: 'globalAvgPool2d' }),
  describe: () => 'globalAvgPool2d',
  infer(_l, input, ctx) {
    const x = imageInput('globalAvgPool2d', input, ctx);
    return x ? { outputShape: [x[2]!] } : null;
  },
  tricks: NO_TRICKS,
});
