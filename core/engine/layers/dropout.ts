import { countedDropout } from '../kernels/dropout.js';
import { defineBuilder } from './builder.js';

export const dropout = defineBuilder<'dropout'>({
  type: 'dropout',
  // Masks from a counter-based hash keyed by the step, the sample's row in the batch, this layer's path and the unit
  // (kernels/dropout.ts): the same on any number of threads. Never a tfjs seed: tfjs then reuses one mask for every
  // batch (see FINDINGS).
  build: (layer, x, ctx) => ctx.apply(countedDropout({ rate: layer.rate }, ctx.path), x),
  tfjs: {
    Dropout: {
      onnx: ([x]) => x!, // identity at inference
      import: { toSpec: ({ config: c }) => [{ type: 'dropout', rate: c.rate as number }] },
    },
  },
});
