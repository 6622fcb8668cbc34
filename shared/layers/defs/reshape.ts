import { z } from 'zod';
import { MAX_UNITS } from '../../limits/spec.js';
import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { text } from '../params.js';
import { volume } from '../shapes.js';

export interface ReshapeLayer {
  type: 'reshape';
  name?: string;
  /** Without the batch axis; it must hold as many values as the input. */
  targetShape: number[];
}

const SHAPES = 'must be [features], [steps, features] or [height, width, channels]';
const dim = z
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .min(1, { error: 'must be a positive integer' })
  .max(MAX_UNITS, { error: `must be at most ${MAX_UNITS}` });
const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

export const reshape = defineLayer<ReshapeLayer>({
  type: 'reshape',
  category: 'core',
  text: {
    label: text('Reshape', '变形'),
    summary: text(
      'Lays the same values out in another shape: an image\'s rows as a sequence [28, 28], a vector as an image.',
      '把同样的数值排成另一种形状：把图像的行当作序列 [28, 28]，或把向量排成图像。',
    ),
  },
  params: {
    targetShape: { kind: 'shape', label: text('Target shape', '目标形状'), schema: z.array(dim, { error: SHAPES }).min(1, { error: SHAPES }).max(3, { error: SHAPES }) },
  },
  create: () => ({ type: 'reshape', targetShape: [28, 28] }),
  describe: (l) => `reshape ${fmt(l.targetShape)}`,
  infer(layer, input, ctx) {
    const from = volume(input);
    const to = volume(layer.targetShape);
    if (from !== to) return ctx.fail(`${fmt(layer.targetShape)} holds ${to} values but the input ${fmt(input)} holds ${from}`, 'targetShape');
    return { outputShape: [...layer.targetShape] };
  },
  tricks: NO_TRICKS,
});
