import * as tfl from '@tensorflow/tfjs-layers';
import { size2 } from '../../../shared/index.js';
import { defineBuilder, pair } from './builder.js';
import { buildWeighted } from './weighted.js';

/** NHWC [kh, kw, in, out] → ONNX [out, in, kh, kw]. */
function onnxKernel(data: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let h = 0; h < kh!; h++)
    for (let w = 0; w < kw!; w++)
      for (let i = 0; i < cin!; i++)
        for (let o = 0; o < cout!; o++) out[((o * cin! + i) * kh! + h) * kw! + w] = data[((h * kw! + w) * cin! + i) * cout! + o]!;
  return out;
}

export const conv2d = defineBuilder<'conv2d'>({
  type: 'conv2d',
  build: (layer, x, ctx) =>
    buildWeighted(layer, x, ctx, layer.kernelSize, layer.filters, (common, activation) =>
      tfl.layers.conv2d({
        ...common,
        filters: layer.filters,
        kernelSize: size2(layer.kernelSize),
        strides: size2(layer.strides ?? 1),
        padding: layer.padding ?? 'valid',
        activation: activation as 'linear',
      }),
    ),
  tfjs: {
    Conv2D: {
      onnx([x], ctx) {
        const [kernel, bias] = ctx.weights();
        const c = ctx.config;
        const kernelSize = pair(c.kernelSize as number | number[]);
        const strides = pair(c.strides as number | number[]);
        const dilation = pair((c.dilationRate as number | number[] | undefined) ?? 1);
        if (dilation[0] !== 1 || dilation[1] !== 1) throw ctx.unsupported('dilated convolutions are not supported');
        const [kh, kw, cin, cout] = kernel!.shape;
        const args = [x!.name, ctx.weight('kernel', onnxKernel(kernel!.data, kernel!.shape), [cout!, cin!, kh!, kw!])];
        if (bias) args.push(ctx.weight('bias', bias.data, bias.shape));
        const conv = ctx.node('Conv', args, [
          ctx.ints('kernel_shape', kernelSize),
          ctx.ints('strides', strides),
          ctx.ints('pads', ctx.pads(c.padding as string, kernelSize, strides)),
        ]);
        return ctx.activation((c.activation as string | undefined) ?? 'linear', { name: conv, rank: 4 });
      },
      import: {
        toSpec({ config: c, stop, size, padding, activation }) {
          if (size(c.dilationRate ?? 1) !== 1) throw stop('dilated convolutions are not supported');
          if (c.dataFormat === 'channelsFirst') throw stop('channels-first data is not supported');
          return [
            {
              type: 'conv2d',
              filters: c.filters as number,
              kernelSize: size(c.kernelSize),
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
