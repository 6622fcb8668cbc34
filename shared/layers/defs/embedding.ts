import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { positiveInt, text } from '../params.js';
import { tokenInput } from '../shapes.js';

/** Integer token ids [steps] → one learned vector per id: [steps, outputDim]. */
export interface EmbeddingLayer {
  type: 'embedding';
  name?: string;
  /** Vocabulary size: the ids it accepts are 0 … inputDim − 1. */
  inputDim: number;
  outputDim: number;
}

export const embedding = defineLayer<EmbeddingLayer>({
  type: 'embedding',
  category: 'sequence',
  text: {
    label: text('Embedding', '嵌入'),
    summary: text(
      'Turns each integer token id (a character, a word) into a learned vector: the first layer for text and other token sequences.',
      '把每个整数词元 id（字符、单词）变成一个可学习的向量：文本和其他词元序列的第一层。',
    ),
  },
  params: {
    inputDim: positiveInt(text('Vocabulary size', '词表大小'), { min: 2 }),
    outputDim: positiveInt(text('Vector size', '向量维度')),
  },
  create: () => ({ type: 'embedding', inputDim: 32, outputDim: 16 }),
  describe: (l) => `embedding ${l.inputDim}→${l.outputDim}`,
  infer(layer, input, ctx) {
    const x = tokenInput('embedding', input, ctx);
    return x ? { outputShape: [x[0]!, layer.outputDim], params: layer.inputDim * layer.outputDim } : null;
  },
  readsTokens: (l) => l.inputDim,
  // A lookup table, not a kernel over inputs: no fan-in for the init tricks to scale by, and Keras leaves it
  // unpenalised too (its U(−0.05, 0.05) start is seeded like every other weight).
  tricks: NO_TRICKS,
  trickNotes: {
    init: text('a lookup table has no fan-in: it starts U(−0.05, 0.05)', '查找表没有扇入：初始为 U(−0.05, 0.05)'),
    regularizer: text('its table is not penalised', '其查找表不受惩罚'),
  },
});
