import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder } from './builder.js';
import { poolArgs, poolFromTfjs, poolOnnx } from './pooling.js';

export const avgPool2d = defineBuilder<'avgPool2d'>({
  type: 'avgPool2d',
  build: (layer, x, ctx) => ctx.apply(tfl.layers.averagePooling2d(poolArgs(layer)), x),
  tfjs: {
    AveragePooling2D: {
      onnx: (inputs, ctx) => poolOnnx('AveragePool', inputs, ctx),
      import: { toSpec: (ctx) => [poolFromTfjs('avgPool2d', ctx)] },
    },
  },
});
