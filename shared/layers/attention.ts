// Multi-head self-attention's weights, shared by the attention layer and the transformer-encoder block.
import { positiveInt, text } from './params.js';
import type { IntegerField } from './descriptor.js';

export interface AttentionFields {
  numHeads: number;
  /** Size of each head's query, key and value vectors. */
  keyDim: number;
}

export const numHeadsParam: IntegerField = positiveInt(text('Heads', '头数'), { max: 64 });
export const keyDimParam: IntegerField = positiveInt(text('Key size', '键维度'), { max: 4096 });

/** Query, key and value projections D → heads·keyDim and the output projection back to D (Keras's count). */
export function attentionParams(width: number, a: AttentionFields, useBias = true): number {
  const inner = a.numHeads * a.keyDim;
  return 4 * width * inner + (useBias ? 3 * inner + width : 0);
}
