import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder } from './builder.js';

export const globalMaxPool2d = defineBuilder<'globalMaxPool2d'>({
  type: 'globalMaxPool2d',
  build: (_layer, x, ctx) => ctx.apply(tfl.layers.globalMaxPooling2d({}), x),
  tfjs: {
    GlobalMaxPooling2D: {
      onnx([x], ctx) {
        const pooled = ctx.node('GlobalMaxPool', [x!.name]);
        return { name: ctx.node('Flatten', [pooled], [ctx.int('axis', 1)]), rank: 2 };
      },
      import: { toSpec: () => [{ type: 'globalMaxPool2d' }] },
    },
  },
});
