import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder } from './builder.js';

export const inception = defineBuilder<'inception'>({
  type: 'inception',
  build(layer, x, ctx) {
    const outputs = layer.branches.map((branch, b) => ctx.stack(branch, x, `branches.${b}`));
    return ctx.apply(tfl.layers.concatenate({ axis: -1 }), outputs);
  },
  tfjs: {
    Concatenate: {
      onnx(inputs, ctx) {
        const axis = ctx.config.axis as number;
        const rank = inputs[0]!.rank;
        if (axis !== -1 && axis !== rank - 1) throw ctx.unsupported(`only concatenation on the last axis is supported (got axis ${axis})`);
        // Channels are axis 1 in the graph's NCHW layout; other values keep tfjs's order.
        return { name: ctx.node('Concat', inputs.map((v) => v.name), [ctx.int('axis', rank === 4 ? 1 : rank - 1)]), rank };
      },
      import: {
        merge: true,
        note: 'inception',
        // A Concatenate on the channel axis whose branches meet at a common input.
        toSpec({ layer, config, inputs, stop, fork: forkOf, chain }) {
          const axis = (config.axis as number | undefined) ?? -1;
          const rank = (layer.outputShape as number[]).length;
          if (axis !== -1 && axis !== rank - 1) throw stop(`only concatenation on the channel axis is supported (got axis ${axis})`);
          const fork = forkOf(inputs);
          const branches = inputs.map((i) => chain(i, fork));
          if (branches.some((b) => b.length === 0)) throw stop('an inception branch that passes its input through unchanged is not supported');
          return [{ type: 'inception', branches }];
        },
      },
    },
  },
});
