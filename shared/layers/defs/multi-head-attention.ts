import { defineLayer } from '../descriptor.js';
import { attentionParams, keyDimParam, numHeadsParam, type AttentionFields } from '../attention.js';
import { initializerParam, regularizerParam, text, useBiasParam, type InitializerName, type RegularizerSpec } from '../params.js';
import { sequenceInput } from '../shapes.js';

/** Self-attention: every step attends to every step of the same sequence. [steps, D] → [steps, D]. */
export interface MultiHeadAttentionLayer extends AttentionFields {
  type: 'multiHeadAttention';
  name?: string;
  useBias?: boolean;
  initializer?: InitializerName;
  regularizer?: RegularizerSpec;
}

export const multiHeadAttention = defineLayer<MultiHeadAttentionLayer>({
  type: 'multiHeadAttention',
  category: 'sequence',
  text: {
    label: text('Multi-head attention', '多头注意力'),
    summary: text(
      'Each step looks at every step of the sequence and mixes in what is relevant, several heads in parallel: long-range links in one layer.',
      '每一步都查看序列中的所有步并融合相关信息，多个头并行：一层即可建立长距离联系。',
    ),
  },
  params: { numHeads: numHeadsParam, keyDim: keyDimParam, useBias: useBiasParam, initializer: initializerParam, regularizer: regularizerParam },
  create: () => ({ type: 'multiHeadAttention', numHeads: 2, keyDim: 8 }),
  describe: (l) => `attention ${l.numHeads}×${l.keyDim}`,
  infer(layer, input, ctx) {
    const x = sequenceInput('multiHeadAttention', input, ctx);
    return x ? { outputShape: x, params: attentionParams(x[1]!, layer, layer.useBias !== false) } : null;
  },
  weighted: true,
  // Its projections are kernels (init, L1/L2); nothing is inserted between its parts.
  tricks: { init: true, regularizer: true, batchNorm: false, dropout: false },
  trickNotes: {
    batchNorm: text('attention is normalised with layer norm (the transformer block has it)', '注意力使用层归一化（Transformer 块自带）'),
    dropout: text('the transformer block has its own dropout rate', 'Transformer 块有自己的 dropout 比率'),
  },
});
