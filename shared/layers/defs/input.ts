import { z } from 'zod';
import { MAX_UNITS } from '../../limits/spec.js';
import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { text } from '../params.js';

export interface InputLayer {
  type: 'input';
  name?: string;
  /** [features] (or [steps] of token ids), [steps, features] or [height, width, channels]. */
  shape: number[];
}

const dim = z
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .min(1, { error: 'must be a positive integer' })
  .max(MAX_UNITS, { error: `must be at most ${MAX_UNITS}` });
const SHAPES = 'must be [features], [steps, features] or [height, width, channels]';

export const input = defineLayer<InputLayer>({
  type: 'input',
  category: 'input',
  palette: false,
  text: {
    label: text('Input', '输入'),
    summary: text(
      'The shape of one sample: [features] for tables and 2-D points (or [steps] of token ids), [steps, features] for sequences, [height, width, channels] for images.',
      '单个样本的形状：表格数据和二维点为 [特征数]（或词元 id 序列 [步数]），序列为 [步数, 特征数]，图像为 [高, 宽, 通道数]。',
    ),
  },
  params: {
    shape: {
      kind: 'shape',
      label: text('Shape', '形状'),
      schema: z
        .array(dim, { error: SHAPES })
        .min(1, { error: SHAPES })
        .max(3, { error: SHAPES }),
    },
  },
  create: () => ({ type: 'input', shape: [28, 28, 1] }),
  describe: () => 'input',
  // Inference reads the first layer itself and refuses an input layer anywhere else: never called.
  infer: (layer) => ({ outputShape: layer.shape }),
  tricks: NO_TRICKS,
});
