import * as tfl from '@tensorflow/tfjs-layers';
import { size2 } from '../../../shared/index.js';
import { defineBuilder, DEFAULT_INITIALIZER } from './builder.js';
import { depthwiseFans, depthwiseNode } from './depthwise.js';
import { withActivation } from './weighted.js';

export const separableConv2d = defineBuilder<'separableConv2d'>({
  type: 'separableConv2d',
  build(layer, x, ctx) {
    const [kh, kw] = size2(layer.kernelSize);
    const multiplier = layer.depthMultiplier ?? 1;
    const channels = (x.shape[x.shape.length - 1] as number) * multiplier;
    const init = layer.initializer ?? DEFAULT_INITIALIZER;
    const { fanIn, fanOut } = depthwiseFans(kh, kw, multiplier);
    const depthwiseInitializer = ctx.initializer(init, fanIn, fanOut);
    // The pointwise kernel is a 1×1 convolution: fan-in the depthwise output channels.
    const pointwiseInitializer = ctx.initializer(init, channels, layer.filters);
    const regularizer = ctx.regularizer(layer.regularizer);
    return withActivation(layer.activation, x, ctx, (activation) =>
      tfl.layers.separableConv2d({
        name: ctx.path,
        filters: layer.filters,
        kernelSize: [kh, kw],
        depthMultiplier: multiplier,
        strides: size2(layer.strides ?? 1),
        padding: layer.padding ?? 'valid',
        useBias: layer.useBias ?? true,
        depthwiseInitializer,
        pointwiseInitializer,
        ...(regularizer ? { depthwiseRegularizer: regularizer, pointwiseRegularizer: regularizer } : {}),
        activation: activation as 'linear',
      }),
    );
  },
  tfjs: {
    SeparableConv2D: {
      onnx([x], ctx) {
        if (ctx.config.dilationRate !== undefined && [ctx.config.dilationRate].flat().some((d) => d !== 1)) throw ctx.unsupported('dilated convolutions are not supported');
        const [depthwise, pointwise, bias] = ctx.weights();
        const middle = depthwise!.shape[2]! * depthwise!.shape[3]!;
        const filters = pointwise!.shape[3]!;
        // tfjs pointwise [1, 1, middle, filters] → ONNX [filters, middle, 1, 1].
        const w = new Float32Array(pointwise!.data.length);
        for (let i = 0; i < middle; i++) for (let o = 0; o < filters; o++) w[o * middle + i] = pointwise!.data[i * filters + o]!;
        const args = [depthwiseNode(ctx, x!.name, depthwise!), ctx.weight('pointwise_kernel', w, [filters, middle, 1, 1])];
        if (bias) args.push(ctx.weight('bias', bias.data, bias.shape));
        const conv = ctx.node('Conv', args, [ctx.ints('kernel_shape', [1, 1])]);
        return ctx.activation((ctx.config.activation as string | undefined) ?? 'linear', { name: conv, rank: 4 });
      },
      import: {
        toSpec({ config: c, stop, size, padding, activation }) {
          if (size(c.dilationRate ?? 1) !== 1) throw stop('dilated convolutions are not supported');
          if (c.dataFormat === 'channelsFirst') throw stop('channels-first data is not supported');
          return [
            {
              type: 'separableConv2d',
              filters: c.filters as number,
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
