import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder, type OnnxContext, type OnnxValue } from './builder.js';

/** tfjs's LayerNormalization over the last axis: (x − mean) / √(var + ε) · γ + β, composed (opset 13 has no LayerNormalization). */
export function layerNormOnnx(ctx: OnnxContext, x: OnnxValue, gamma: Float32Array, beta: Float32Array, epsilon: number): OnnxValue {
  // The last tfjs axis: channels, axis 1 of an NCHW value.
  const axis = x.rank === 4 ? 1 : -1;
  const shape = x.rank === 4 ? [gamma.length, 1, 1] : [gamma.length];
  const mean = ctx.node('ReduceMean', [x.name], [ctx.ints('axes', [axis]), ctx.int('keepdims', 1)]);
  const centred = ctx.node('Sub', [x.name, mean]);
  const variance = ctx.node('ReduceMean', [ctx.node('Mul', [centred, centred])], [ctx.ints('axes', [axis]), ctx.int('keepdims', 1)]);
  const std = ctx.node('Sqrt', [ctx.node('Add', [variance, ctx.weight('epsilon', Float32Array.of(epsilon), [])])]);
  const scaled = ctx.node('Mul', [ctx.node('Div', [centred, std]), ctx.weight('gamma', gamma, shape)]);
  return { name: ctx.node('Add', [scaled, ctx.weight('beta', beta, shape)]), rank: x.rank };
}

export const layerNorm = defineBuilder<'layerNorm'>({
  type: 'layerNorm',
  build: (layer, x, ctx) => ctx.apply(tfl.layers.layerNormalization({ axis: -1, epsilon: layer.epsilon ?? 0.001 }), x),
  tfjs: {
    LayerNormalization: {
      onnx([x], ctx) {
        const c = ctx.config;
        const axis = [c.axis].flat()[0] as number;
        if ([c.axis].flat().length !== 1 || (axis !== -1 && axis !== x!.rank - 1)) throw ctx.unsupported('only normalising the last axis is supported');
        const w = ctx.weights();
        const width = ctx.inputShape[ctx.inputShape.length - 1]!;
        // tfjs keeps gamma (when scaling) before beta (when centring).
        const gamma = c.scale !== false ? w[0]!.data : new Float32Array(width).fill(1);
        const beta = c.center !== false ? w[c.scale !== false ? 1 : 0]!.data : new Float32Array(width);
        return layerNormOnnx(ctx, x!, gamma, beta, c.epsilon as number);
      },
      import: {
        toSpec({ layer, config: c, stop }) {
          const axes = [c.axis].flat() as number[];
          const rank = (layer.outputShape as number[]).length;
          if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== rank - 1)) throw stop('only normalising the last axis is supported');
          if (c.center === false || c.scale === false) throw stop('a layer norm without its scale or offset is not supported');
          return [{ type: 'layerNorm', epsilon: c.epsilon as number }];
        },
      },
    },
  },
});
