import { defineLayer } from '../descriptor.js';
import { activationText, imageInput, windowOutput, windowText } from '../shapes.js';
import { paddingParam, positiveInt, size2, stridesParam, text, weightedParams, windowParam, WEIGHTED_TRICKS, type Padding, type Size2, type WeightedFields } from '../params.js';

export interface DepthwiseConv2dLayer extends WeightedFields {
  type: 'depthwiseConv2d';
  name?: string;
  kernelSize: Size2;
  /** Filters per input channel; the output has channels × depthMultiplier channels. */
  depthMultiplier?: number;
  strides?: Size2;
  padding?: Padding;
}

export const depthMultiplierParam = positiveInt(text('Depth multiplier', '深度乘数'), { optional: true, default: 1, max: 64 });

export const depthwiseConv2d = defineLayer<DepthwiseConv2dLayer>({
  type: 'depthwiseConv2d',
  category: 'convolution',
  text: {
    label: text('Depthwise convolution', '深度卷积'),
    summary: text(
      'Filters each channel on its own (no mixing across channels): a spatial filter for a fraction of a convolution\'s weights and work.',
      '对每个通道单独滤波（不跨通道混合）：只用普通卷积的一小部分权重和计算量做空间滤波。',
    ),
  },
  params: {
    kernelSize: windowParam(text('Kernel size', '卷积核大小')),
    depthMultiplier: depthMultiplierParam,
    strides: stridesParam(1),
    padding: paddingParam,
    ...weightedParams,
  },
  create: () => ({ type: 'depthwiseConv2d', kernelSize: 3, padding: 'same', activation: 'relu' }),
  describe(l) {
    const stride = l.strides && windowText(l.strides) !== '1×1' ? ` /${windowText(l.strides)}` : '';
    const mult = l.depthMultiplier && l.depthMultiplier !== 1 ? ` ×${l.depthMultiplier}` : '';
    return `depthwise ${windowText(l.kernelSize)}${mult}${stride}${l.padding === 'same' ? ' same' : ''}${activationText(l.activation)}`;
  },
  infer(layer, input, ctx) {
    const x = imageInput('depthwiseConv2d', input, ctx);
    if (!x) return null;
    const out = windowOutput(x, layer.kernelSize, layer.strides ?? 1, layer.padding ?? 'valid', 'kernelSize', ctx);
    if (!out) return null;
    const [kh, kw] = size2(layer.kernelSize);
    const channels = x[2]! * (layer.depthMultiplier ?? 1);
    const params = kh * kw * channels + (layer.useBias === false ? 0 : channels);
    return { outputShape: [out[0], out[1], channels], params };
  },
  weighted: true,
  tricks: { ...WEIGHTED_TRICKS, dropout: false },
});
