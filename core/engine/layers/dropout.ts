import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder } from './builder.js';

export const dropout = defineBuilder<'dropout'>({
  type: 'dropout',
  // Never pass a seed: tfjs then reuses one mask for every batch (see FINDINGS).
  build: (layer, x, ctx) => ctx.apply(tfl.layers.dropout({ rate: layer.rate }), x),
  tfjs: {
    Dropout: {
      onnx: ([x]) => x!, // identity at inference
      import: { toSpec: ({ config: c }) => [{ type: 'dropout', rate: c.rate as number }] },
    },
  },
});
