import * as tfl from '@tensorflow/tfjs-layers';
import { size2 } from '../../../shared/index.js';
import { defineBuilder, DEFAULT_INITIALIZER } from './builder.js';
import { depthwiseFans, depthwiseNode } from './depthwise.js';
import { withActivation } from './weighted.js';

export const depthwiseConv2d = defineBuilder<'depthwiseConv2d'>({
  type: 'depthwiseConv2d',
  build(layer, x, ctx) {
    const [kh, kw] = size2(layer.kernelSize);
    const multiplier = layer.depthMultiplier ?? 1;
    const { fanIn, fanOut } = depthwiseFans(kh, kw, multiplier);
    const depthwiseInitializer = ctx.initializer(layer.initializer ?? DEFAULT_INITIALIZER, fanIn, fanOut);
    const depthwiseRegularizer = ctx.regularizer(layer.regularizer);
    return withActivation(layer.activation, x, ctx, (activation) =>
      tfl.layers.depthwiseConv2d({
        name: ctx.path,
        kernelSize: [kh, kw],
        depthMultiplier: multiplier,
        strides: size2(layer.strides ?? 1),
        padding: layer.padding ?? 'valid',
        useBias: layer.useBias ?? true,
        depthwiseInitializer,
        ...(depthwiseRegularizer ? { depthwiseRegularizer } : {}),
        activation: activation as 'linear',
      }),
    );
  },
  tfjs: {
    DepthwiseConv2D: {
      onnx([x], ctx) {
        if (ctx.config.dilationRate !== undefined && [ctx.config.dilationRate].flat().some((d) => d !== 1)) throw ctx.unsupported('dilated convolutions are not supported');
        const [kernel, bias] = ctx.weights();
        const conv = depthwiseNode(ctx, x!.name, kernel!, bias);
        return ctx.activation((ctx.config.activation as string | undefined) ?? 'linear', { name: conv, rank: 4 });
      },
      import: {
        toSpec({ config: c, stop, size, padding, activation }) {
          if (size(c.dilationRate ?? 1) !== 1) throw stop('dilated convolutions are not supported');
          if (c.dataFormat === 'channelsFirst') throw stop('channels-first data is not supported');
          return [
            {
              type: 'depthwiseConv2d',
              kernelSize: size(c.kernelSize),
              depthMultiplier: (c.depthMultiplier as number | undefined) ?? 1,
              strides: size(c.strides ?? 1),
              padding: padding(c.padding),
              activation: activation(c.activation as string),
              useBias: c.useBias !== false,
            },
          ];
        },
      },
    },
  },
});
