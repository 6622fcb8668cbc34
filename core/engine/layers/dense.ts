import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder } from './builder.js';
import { buildWeighted } from './weighted.js';

export const dense = defineBuilder<'dense'>({
  type: 'dense',
  build: (layer, x, ctx) =>
    buildWeighted(layer, x, ctx, 1, layer.units, (common, activation) => tfl.layers.dense({ ...common, units: layer.units, activation: activation as 'linear' })),
  tfjs: {
    Dense: {
      onnx([x], ctx) {
        const [kernel, bias] = ctx.weights();
        if (x!.rank === 3) {
          // On [N, T, F]: the same weights at every step.
          const y = ctx.node('MatMul', [x!.name, ctx.weight('kernel', kernel!.data, kernel!.shape)]);
          const out = bias ? ctx.node('Add', [y, ctx.weight('bias', bias.data, bias.shape)]) : y;
          return ctx.activation((ctx.config.activation as string | undefined) ?? 'linear', { name: out, rank: 3 });
        }
        if (x!.rank !== 2) throw ctx.unsupported('only dense layers on [features] or [steps, features] are supported');
        const args = [x!.name, ctx.weight('kernel', kernel!.data, kernel!.shape)];
        args.push(bias ? ctx.weight('bias', bias.data, bias.shape) : ctx.weight('bias', new Float32Array(kernel!.shape[1]!), [kernel!.shape[1]!]));
        return ctx.activation((ctx.config.activation as string | undefined) ?? 'linear', { name: ctx.node('Gemm', args), rank: 2 });
      },
      import: {
        toSpec: ({ config: c, activation }) => [{ type: 'dense', units: c.units as number, activation: activation(c.activation as string), useBias: c.useBias !== false }],
      },
    },
  },
});
