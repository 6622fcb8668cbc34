import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder } from './builder.js';

export const reshape = defineBuilder<'reshape'>({
  type: 'reshape',
  build: (layer, x, ctx) => ctx.apply(tfl.layers.reshape({ targetShape: layer.targetShape }), x),
  tfjs: {
    Reshape: {
      onnx([x], ctx) {
        const target = ctx.config.targetShape as number[];
        // tfjs reshapes in NHWC order: an image goes back to it first, and a new image to NCHW after.
        const from = x!.rank === 4 ? ctx.node('Transpose', [x!.name], [ctx.ints('perm', [0, 2, 3, 1])]) : x!.name;
        const out = ctx.node('Reshape', [from, ctx.int64s('shape', [0, ...target])]);
        const rank = target.length + 1;
        return { name: rank === 4 ? ctx.node('Transpose', [out], [ctx.ints('perm', [0, 3, 1, 2])]) : out, rank };
      },
      import: {
        toSpec({ config: c, stop }) {
          const target = c.targetShape as number[];
          if (target.some((d) => d < 1)) throw stop('a target shape with -1 (an inferred axis) is not supported: write the size');
          return [{ type: 'reshape', targetShape: [...target] }];
        },
      },
    },
  },
});
