import { defineBuilder } from './builder.js';

export const activation = defineBuilder<'activation'>({
  type: 'activation',
  build: (layer, x, ctx) => ctx.activation(layer.activation, x, layer.alpha),
  tfjs: {
    Activation: {
      onnx: ([x], ctx) => ctx.activation(ctx.config.activation as string, x!),
      import: { toSpec: ({ config: c, activation }) => [{ type: 'activation', activation: activation(c.activation as string) }] },
    },
    ReLU: {
      onnx: ([x], ctx) => ctx.activation('relu', x!),
      import: {
        toSpec({ config: c, stop }) {
          if (c.maxValue != null) throw stop('a capped ReLU (maxValue) is not supported');
          return [{ type: 'activation', activation: 'relu' }];
        },
      },
    },
    LeakyReLU: {
      onnx: ([x], ctx) => ctx.activation('leakyRelu', x!, ctx.config.alpha as number),
      import: { toSpec: ({ config: c }) => [{ type: 'activation', activation: 'leakyRelu', alpha: c.alpha as number }] },
    },
    ELU: {
      onnx: ([x], ctx) => ctx.activation('elu', x!, ctx.config.alpha as number),
      import: { toSpec: ({ config: c }) => [{ type: 'activation', activation: 'elu', alpha: c.alpha as number }] },
    },
  },
});
