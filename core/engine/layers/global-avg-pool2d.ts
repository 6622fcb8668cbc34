import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder } from './builder.js';

export const globalAvgPool2d = defineBuilder<'globalAvgPool2d'>({
  type: 'globalAvgPool2d',
  build: (_layer, x, ctx) => ctx.apply(tfl.layers.globalAveragePooling2d({}), x),
  tfjs: {
    GlobalAveragePooling2D: {
      onnx([x], ctx) {
        const pooled = ctx.node('GlobalAveragePool', [x!.name]);
        return { name: ctx.node('Flatten', [pooled], [ctx.int('axis', 1)]), rank: 2 };
      },
      import: { toSpec: () => [{ type: 'globalAvgPool2d' }] },
    },
  },
});
