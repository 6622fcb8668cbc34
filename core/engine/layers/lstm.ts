import { defineBuilder } from './builder.js';
import { buildRecurrent, recurrentFromTfjs, recurrentOnnx } from './recurrent.js';

export const lstm = defineBuilder<'lstm'>({
  type: 'lstm',
  build: (layer, x, ctx) => buildRecurrent('lstm', layer, x, ctx),
  tfjs: {
    LSTM: {
      onnx: (inputs, ctx) => recurrentOnnx('lstm', inputs, ctx),
      import: { toSpec: (ctx) => [recurrentFromTfjs('lstm', ctx)] },
    },
  },
});
