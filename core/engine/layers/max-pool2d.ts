import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder } from './builder.js';
import { poolArgs, poolFromTfjs, poolOnnx } from './pooling.js';

export const maxPool2d = defineBuilder<'maxPool2d'>({
  type: 'maxPool2d',
  build: (layer, x, ctx) => ctx.apply(tfl.layers.maxPooling2d(poolArgs(layer)), x),
  tfjs: {
    MaxPooling2D: {
      onnx: (inputs, ctx) => poolOnnx('MaxPool', inputs, ctx),
      import: { toSpec: (ctx) => [poolFromTfjs('maxPool2d', ctx)] },
    },
  },
});
