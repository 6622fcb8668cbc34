import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { attentionParams, keyDimParam, numHeadsParam, type AttentionFields } from '../attention.js';
import { numberParam, text } from '../params.js';
import { sequenceInput } from '../shapes.js';
import type { LayerSpec } from '../registry.js';
import type { Shape } from '../../spec/inference.js';
import { EPSILON_PARAM } from './layer-norm.js';

/**
 * A transformer encoder layer as a block of sub-layers: self-attention, then the feed-forward stack, each with
 * a residual shortcut and layer norm (after the addition by default, as in "Attention is all you need"; before
 * each part with normFirst, which trains deep stacks more easily). When the feed-forward stack does not end at
 * the model width, a linear dense projects it back (like a residual block's projection).
 */
export interface TransformerEncoderBlock extends AttentionFields {
  type: 'transformerEncoder';
  name?: string;
  feedForward: LayerSpec[];
  /** Dropout on the attention's and the feed-forward's outputs, before each addition. */
  dropout?: number;
  normFirst?: boolean;
  epsilon?: number;
}

const fmt = (shape: Shape) => `[${shape.join(', ')}]`;

export const transformerEncoder = defineLayer<TransformerEncoderBlock>({
  type: 'transformerEncoder',
  category: 'block',
  text: {
    label: text('Transformer encoder', 'Transformer 编码器'),
    summary: text(
      'Self-attention and a feed-forward stack, each added back to its input and layer-normalised: the building block of transformers.',
      '自注意力加一个前馈层栈，每部分都加回其输入并做层归一化：Transformer 的基本构件。',
    ),
  },
  params: {
    numHeads: numHeadsParam,
    keyDim: keyDimParam,
    dropout: numberParam(text('Dropout', 'Dropout'), { min: 0, max: 1, maxExclusive: true, optional: true, default: 0, step: 0.05 }),
    normFirst: { kind: 'boolean', label: text('Norm first', '先归一化'), optional: true, default: false },
    epsilon: EPSILON_PARAM,
    feedForward: { kind: 'stack', label: text('Feed-forward', '前馈层') },
  },
  create: () => ({ type: 'transformerEncoder', numHeads: 2, keyDim: 8, feedForward: [{ type: 'dense', units: 32, activation: 'relu' }] }),
  describe: (l) => `transformer ${l.numHeads}×${l.keyDim}${l.normFirst ? ' norm-first' : ''}`,
  infer(layer, input, ctx) {
    const x = input.length === 2 ? input : (sequenceInput('transformerEncoder', input, ctx), null);
    const ff = ctx.stack(layer.feedForward, x, ['feedForward']);
    const children = [ff.infos];
    if (!x || !ff.output) return { outputShape: null, children };
    const out = ff.output;
    if (out.length !== 2 || out[0] !== x[0]) {
      ctx.report(`outputs ${fmt(out)}: a transformer's feed-forward stack must keep its ${x[0]} steps ([steps, features])`, ['feedForward']);
      return { outputShape: null, children };
    }
    const width = x[1]!;
    const attention = attentionParams(width, layer);
    const projection = out[1] === width ? 0 : out[1]! * width + width;
    const norms = 4 * width;
    const extras = [
      { label: `attention ${layer.numHeads}×${layer.keyDim}`, params: attention },
      ...(projection ? [{ label: `projection dense ${out[1]}→${width}`, params: projection }] : []),
      { label: 'layer norms ×2', params: norms },
    ];
    return { outputShape: x, children, params: attention + projection + norms, extras };
  },
  tricks: NO_TRICKS,
  block: {
    stacks: (l) => [{ at: ['feedForward'], layers: l.feedForward }],
    withStacks: (l, [feedForward]) => ({ ...l, feedForward: feedForward! }),
  },
});
