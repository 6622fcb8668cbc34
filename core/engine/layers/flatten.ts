import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder } from './builder.js';

export const flatten = defineBuilder<'flatten'>({
  type: 'flatten',
  // A flat input stays as it is (no tfjs layer).
  build: (_layer, x, ctx) => (x.shape.length === 2 ? x : ctx.apply(tfl.layers.flatten(), x)),
  tfjs: {
    Flatten: {
      onnx([x], ctx) {
        if (x!.rank === 2) return x!;
        // [N, T, F] is held in tfjs's order already.
        if (x!.rank === 3) return { name: ctx.node('Flatten', [x!.name], [ctx.int('axis', 1)]), rank: 2 };
        // Back to NHWC first so the flattened order is tfjs's.
        const nhwc = ctx.node('Transpose', [x!.name], [ctx.ints('perm', [0, 2, 3, 1])]);
        return { name: ctx.node('Flatten', [nhwc], [ctx.int('axis', 1)]), rank: 2 };
      },
      import: { toSpec: () => [{ type: 'flatten' }] },
    },
  },
});
