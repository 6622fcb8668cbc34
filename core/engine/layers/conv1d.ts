import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder } from './builder.js';
import { one, pads1d, swapSteps } from './sequence-onnx.js';
import { buildWeighted } from './weighted.js';

export const conv1d = defineBuilder<'conv1d'>({
  type: 'conv1d',
  build: (layer, x, ctx) =>
    buildWeighted(layer, x, ctx, [layer.kernelSize, 1], layer.filters, (common, activation) =>
      tfl.layers.conv1d({
        ...common,
        filters: layer.filters,
        kernelSize: layer.kernelSize,
        strides: layer.strides ?? 1,
        padding: layer.padding ?? 'valid',
        activation: activation as 'linear',
      }),
    ),
  tfjs: {
    Conv1D: {
      onnx([x], ctx) {
        const c = ctx.config;
        if (one(c.dilationRate ?? 1) !== 1) throw ctx.unsupported('dilated convolutions are not supported');
        const [kernel, bias] = ctx.weights();
        const [k, cin, cout] = kernel!.shape as [number, number, number];
        // tfjs [k, in, out] → ONNX [out, in, k].
        const w = new Float32Array(kernel!.data.length);
        for (let t = 0; t < k; t++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) w[(o * cin + i) * k + t] = kernel!.data[(t * cin + i) * cout + o]!;
        const stride = one(c.strides ?? 1);
        const args = [swapSteps(ctx, x!.name), ctx.weight('kernel', w, [cout, cin, k])];
        if (bias) args.push(ctx.weight('bias', bias.data, bias.shape));
        const conv = ctx.node('Conv', args, [
          ctx.ints('kernel_shape', [k]),
          ctx.ints('strides', [stride]),
          ctx.ints('pads', pads1d(c.padding as string, ctx.inputShape[1]!, k, stride)),
        ]);
        return ctx.activation((c.activation as string | undefined) ?? 'linear', { name: swapSteps(ctx, conv), rank: 3 });
      },
      import: {
        toSpec({ config: c, stop, activation, padding }) {
          if (one(c.dilationRate ?? 1) !== 1) throw stop('dilated convolutions are not supported');
          if (c.dataFormat === 'channelsFirst') throw stop('channels-first data is not supported');
          return [
            {
              type: 'conv1d',
              filters: c.filters as number,
              kernelSize: one(c.kernelSize),
              strides: one(c.strides ?? 1),
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
