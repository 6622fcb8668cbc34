import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder } from './builder.js';
import { reduceSteps } from './sequence-onnx.js';

export const globalAvgPool1d = defineBuilder<'globalAvgPool1d'>({
  type: 'globalAvgPool1d',
  build: (_layer, x, ctx) => ctx.apply(tfl.layers.globalAveragePooling1d({}), x),
  tfjs: {
    GlobalAveragePooling1D: {
      onnx: ([x], ctx) => ({ name: reduceSteps(ctx, 'ReduceMean', x!.name), rank: 2 }),
      import: { toSpec: () => [{ type: 'globalAvgPool1d' }] },
    },
  },
});

export const globalMaxPool1d = defineBuilder<'globalMaxPool1d'>({
  type: 'globalMaxPool1d',
  build: (_layer, x, ctx) => ctx.apply(tfl.layers.globalMaxPooling1d({}), x),
  tfjs: {
    GlobalMaxPooling1D: {
      onnx: ([x], ctx) => ({ name: reduceSteps(ctx, 'ReduceMax', x!.name), rank: 2 }),
      import: { toSpec: () => [{ type: 'globalMaxPool1d' }] },
    },
  },
});
