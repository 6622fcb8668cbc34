import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder } from './builder.js';
import { one, pads1d, swapSteps } from './sequence-onnx.js';

export const maxPool1d = defineBuilder<'maxPool1d'>({
  type: 'maxPool1d',
  build: (layer, x, ctx) =>
    ctx.apply(tfl.layers.maxPooling1d({ poolSize: layer.poolSize, strides: layer.strides ?? layer.poolSize, padding: layer.padding ?? 'valid' }), x),
  tfjs: {
    MaxPooling1D: {
      onnx([x], ctx) {
        const c = ctx.config;
        const size = one(c.poolSize);
        const stride = one(c.strides ?? c.poolSize);
        const pool = ctx.node('MaxPool', [swapSteps(ctx, x!.name)], [
          ctx.ints('kernel_shape', [size]),
          ctx.ints('strides', [stride]),
          ctx.ints('pads', pads1d(c.padding as string, ctx.inputShape[1]!, size, stride)),
        ]);
        return { name: swapSteps(ctx, pool), rank: 3 };
      },
      import: {
        toSpec: ({ config: c, padding }) => [{ type: 'maxPool1d', poolSize: one(c.poolSize), strides: one(c.strides ?? c.poolSize), padding: padding(c.padding) }],
      },
    },
  },
});
