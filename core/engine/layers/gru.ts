import { defineBuilder } from './builder.js';
import { buildRecurrent, recurrentFromTfjs, recurrentOnnx } from './recurrent.js';

export const gru = defineBuilder<'gru'>({
  type: 'gru',
  build: (layer, x, ctx) => buildRecurrent('gru', layer, x, ctx),
  tfjs: {
    GRU: {
      onnx: (inputs, ctx) => recurrentOnnx('gru', inputs, ctx),
      import: { toSpec: (ctx) => [recurrentFromTfjs('gru', ctx)] },
    },
  },
});
