import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder } from './builder.js';

export const embedding = defineBuilder<'embedding'>({
  type: 'embedding',
  build: (layer, x, ctx) =>
    ctx.apply(
      tfl.layers.embedding({
        name: ctx.path,
        inputDim: layer.inputDim,
        outputDim: layer.outputDim,
        // Keras's start, seeded like every other weight.
        embeddingsInitializer: tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: ctx.seed() }),
      }),
      x,
    ),
  tfjs: {
    Embedding: {
      onnx([x], ctx) {
        const [table] = ctx.weights();
        // The ids arrive as floats (as the tfjs model holds them): Gather wants integers.
        const ids = ctx.node('Cast', [x!.name], [ctx.int('to', 7 /* INT64 */)]);
        return { name: ctx.node('Gather', [ctx.weight('embeddings', table!.data, table!.shape), ids], [ctx.int('axis', 0)]), rank: x!.rank + 1 };
      },
      import: {
        toSpec({ config: c, stop }) {
          if (c.maskZero) throw stop('masking id 0 (maskZero) is not supported');
          return [{ type: 'embedding', inputDim: c.inputDim as number, outputDim: c.outputDim as number }];
        },
      },
    },
  },
});
