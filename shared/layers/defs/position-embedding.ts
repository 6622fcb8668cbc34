import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { text } from '../params.js';
import { sequenceInput } from '../shapes.js';

/** Adds a learned vector per position: [steps, D] → [steps, D]. */
export interface PositionEmbeddingLayer {
  type: 'positionEmbedding';
  name?: string;
}

export const positionEmbedding = defineLayer<PositionEmbeddingLayer>({
  type: 'positionEmbedding',
  category: 'sequence',
  text: {
    label: text('Position embedding', '位置嵌入'),
    summary: text(
      'Adds a learned vector for each position: attention alone cannot tell the order of the steps, this tells it.',
      '为每个位置加上一个可学习的向量：注意力本身分辨不出各步的顺序，这一层告诉它。',
    ),
  },
  params: {},
  create: () => ({ type: 'positionEmbedding' }),
  describe: () => 'positionEmbedding',
  infer(_l, input, ctx) {
    const x = sequenceInput('positionEmbedding', input, ctx);
    return x ? { outputShape: x, params: x[0]! * x[1]! } : null;
  },
  tricks: NO_TRICKS,
});
