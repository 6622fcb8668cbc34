import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { text } from '../params.js';
import { imageInput } from '../shapes.js';

export interface GlobalMaxPool2dLayer {
  type: 'globalMaxPool2d';
  name?: string;
}

export const globalMaxPool2d = defineLayer<GlobalMaxPool2dLayer>({
  type: 'globalMaxPool2d',
  category: 'pooling',
  text: {
    label: text('Global max pooling', '全局最大池化'),
    summary: text(
      'Keeps each channel\'s strongest response over the whole image: "is this feature anywhere?", one number per feature map.',
      '保留每个通道在整幅图像上的最强响应：“这个特征是否出现在任何位置？”，每个特征图一个数。',
    ),
  },
  params: {},
  create: () => ({ type: 'globalMaxPool2d' }),
  describe: () => 'globalMaxPool2d',
  infer(_l, input, ctx) {
    const x = imageInput('globalMaxPool2d', input, ctx);
    return x ? { outputShape: [x[2]!] } : null;
  },
  tricks: NO_TRICKS,
});
