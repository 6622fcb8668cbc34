import { defineLayer } from '../descriptor.js';
import { activationText, imageInput, windowOutput, windowText } from '../shapes.js';
import { paddingParam, positiveInt, size2, stridesParam, text, weightedParams, windowParam, WEIGHTED_TRICKS, type Padding, type Size2, type WeightedFields } from '../params.js';

export interface Conv2dLayer extends WeightedFields {
  type: 'conv2d';
  name?: string;
  filters: number;
  kernelSize: Size2;
  strides?: Size2;
  padding?: Padding;
}

export const conv2d = defineLayer<Conv2dLayer>({
  type: 'conv2d',
  category: 'convolution',
  text: {
    label: text('Convolution 2D', '二维卷积'),
    summary: text('Slides small learned filters over an image: detects local patterns (edges, strokes) wherever they appear.', '在图像上滑动可学习的小卷积核：无论局部模式（边缘、笔画）出现在哪里都能检测到。'),
  },
  params: {
    filters: positiveInt(text('Filters', '卷积核数')),
    kernelSize: windowParam(text('Kernel size', '卷积核大小')),
    strides: stridesParam(1),
    padding: paddingParam,
    ...weightedParams,
  },
  create: () => ({ type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu' }),
  describe(l) {
    const stride = l.strides && windowText(l.strides) !== '1×1' ? ` /${windowText(l.strides)}` : '';
    return `conv2d ${l.filters} ${windowText(l.kernelSize)}${stride}${l.padding === 'same' ? ' same' : ''}${activationText(l.activation)}`;
  },
  infer(layer, input, ctx) {
    const x = imageInput('conv2d', input, ctx);
    if (!x) return null;
    const out = windowOutput(x, layer.kernelSize, layer.strides ?? 1, layer.padding ?? 'valid', 'kernelSize', ctx);
    if (!out) return null;
    const [kh, kw] = size2(layer.kernelSize);
    const params = kh * kw * x[2]! * layer.filters + (layer.useBias === false ? 0 : layer.filters);
    return { outputShape: [out[0], out[1], layer.filters], params };
  },
  weighted: true,
  // The dropout trick adds dropout after hidden dense layers only (as its summary says).
  tricks: { ...WEIGHTED_TRICKS, dropout: false },
});
