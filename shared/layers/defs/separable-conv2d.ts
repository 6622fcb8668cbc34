import { defineLayer } from '../descriptor.js';
import { activationText, imageInput, windowOutput, windowText } from '../shapes.js';
import { paddingParam, positiveInt, size2, stridesParam, text, weightedParams, windowParam, WEIGHTED_TRICKS, type Padding, type Size2, type WeightedFields } from '../params.js';
import { depthMultiplierParam } from './depthwise-conv2d.js';

export interface SeparableConv2dLayer extends WeightedFields {
  type: 'separableConv2d';
  name?: string;
  filters: number;
  kernelSize: Size2;
  depthMultiplier?: number;
  strides?: Size2;
  padding?: Padding;
}

export const separableConv2d = defineLayer<SeparableConv2dLayer>({
  type: 'separableConv2d',
  category: 'convolution',
  text: {
    label: text('Separable convolution', '可分离卷积'),
    summary: text(
      'A depthwise filter per channel, then a 1×1 convolution that mixes the channels: a convolution\'s job with far fewer weights (MobileNet, Xception).',
      '先对每个通道做深度滤波，再用 1×1 卷积混合通道：用少得多的权重完成卷积的工作（MobileNet、Xception）。',
    ),
  },
  params: {
    filters: positiveInt(text('Filters', '卷积核数')),
    kernelSize: windowParam(text('Kernel size', '卷积核大小')),
    depthMultiplier: depthMultiplierParam,
    strides: stridesParam(1),
    padding: paddingParam,
    ...weightedParams,
  },
  create: () => ({ type: 'separableConv2d', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
  describe(l) {
    const stride = l.strides && windowText(l.strides) !== '1×1' ? ` /${windowText(l.strides)}` : '';
    return `separable ${l.filters} ${windowText(l.kernelSize)}${stride}${l.padding === 'same' ? ' same' : ''}${activationText(l.activation)}`;
  },
  infer(layer, input, ctx) {
    const x = imageInput('separableConv2d', input, ctx);
    if (!x) return null;
    const out = windowOutput(x, layer.kernelSize, layer.strides ?? 1, layer.padding ?? 'valid', 'kernelSize', ctx);
    if (!out) return null;
    const [kh, kw] = size2(layer.kernelSize);
    const middle = x[2]! * (layer.depthMultiplier ?? 1);
    const params = kh * kw * middle + middle * layer.filters + (layer.useBias === false ? 0 : layer.filters);
    return { outputShape: [out[0], out[1], layer.filters], params };
  },
  weighted: true,
  tricks: { ...WEIGHTED_TRICKS, dropout: false },
});
