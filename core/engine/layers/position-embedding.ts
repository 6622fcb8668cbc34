import { defineBuilder } from './builder.js';
import { LearnedPositionEmbedding } from './classes/position-embedding.js';

export const positionEmbedding = defineBuilder<'positionEmbedding'>({
  type: 'positionEmbedding',
  build(_layer, x, ctx) {
    const [steps, width] = [x.shape[1] as number, x.shape[2] as number];
    return ctx.apply(new LearnedPositionEmbedding({ name: ctx.path, initializer: ctx.initializer('glorotUniform', steps, width) }), x);
  },
  tfjs: {
    LearnedPositionEmbedding: {
      onnx([x], ctx) {
        const [table] = ctx.weights();
        // [T, D] broadcasts over the batch.
        return { name: ctx.node('Add', [x!.name, ctx.weight('embeddings', table!.data, table!.shape)]), rank: 3 };
      },
      import: { toSpec: () => [{ type: 'positionEmbedding' }] },
    },
  },
});
