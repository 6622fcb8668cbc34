import { batchNormalization } from '../kernels/batch-norm.js';
import { defineBuilder } from './builder.js';

export const batchNorm = defineBuilder<'batchNorm'>({
  type: 'batchNorm',
  build: (layer, x, ctx) =>
    // Our subclass (class name still BatchNormalization, so exports are unchanged) trains through the fused SIMD
    // kernels on wasm (core/engine/kernels/batch-norm.ts).
    ctx.apply(batchNormalization({ axis: -1, momentum: layer.momentum ?? 0.99, epsilon: layer.epsilon ?? 0.001 }), x),
  tfjs: {
    BatchNormalization: {
      onnx([x], ctx) {
        const c = ctx.config;
        const axis = c.axis as number;
        if (axis !== -1 && axis !== x!.rank - 1) throw ctx.unsupported(`only the channel axis is supported (got axis ${axis})`);
        const w = ctx.weights();
        const channels = w[w.length - 1]!.shape[0]!;
        let i = 0;
        const gamma = c.scale !== false ? w[i++]!.data : new Float32Array(channels).fill(1);
        const beta = c.center !== false ? w[i++]!.data : new Float32Array(channels);
        const mean = w[i]!.data;
        const variance = w[i + 1]!.data;
        // ONNX normalises axis 1: the channels of NCHW; a sequence [N, T, F] goes to [N, F, T] and back.
        const sequence = x!.rank === 3;
        const inputs = [
          sequence ? ctx.node('Transpose', [x!.name], [ctx.ints('perm', [0, 2, 1])]) : x!.name,
          ctx.weight('gamma', gamma, [channels]),
          ctx.weight('beta', beta, [channels]),
          ctx.weight('moving_mean', mean, [channels]),
          ctx.weight('moving_variance', variance, [channels]),
        ];
        const out = ctx.node('BatchNormalization', inputs, [ctx.float('epsilon', c.epsilon as number)]);
        return { name: sequence ? ctx.node('Transpose', [out], [ctx.ints('perm', [0, 2, 1])]) : out, rank: x!.rank };
      },
      import: {
        toSpec({ layer, config: c, stop }) {
          const axis = c.axis as number;
          if (axis !== -1 && axis !== (layer.outputShape as number[]).length - 1) throw stop(`only the channel axis is supported (got axis ${axis})`);
          return [{ type: 'batchNorm', momentum: c.momentum as number, epsilon: c.epsilon as number }];
        },
      },
    },
  },
});
