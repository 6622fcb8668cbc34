import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { text } from '../params.js';
import { volume } from '../shapes.js';

export interface FlattenLayer {
  type: 'flatten';
  name?: string;
}

export const flatten = defineLayer<FlattenLayer>({
  type: 'flatten',
  category: 'core',
  text: {
    label: text('Flatten', '展平'),
    summary: text('Lays an image\'s pixels and channels out as one vector, so dense layers can read it.', '把图像的像素和通道排成一个向量，供全连接层读取。'),
  },
  params: {},
  create: () => ({ type: 'flatten' }),
  describe: () => 'flatten',
  infer: (_l, input) => ({ outputShape: [volume(input)] }),
  tricks: NO_TRICKS,
});
