import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { text } from '../params.js';
import { imageInput } from '../shapes.js';
import type { LayerSpec } from '../registry.js';
import type { Shape } from '../../spec/inference.js';

/** Parallel branches over the same input, concatenated on channels. */
export interface InceptionBlock {
  type: 'inception';
  name?: string;
  branches: LayerSpec[][];
}

const fmt = (shape: Shape) => `[${shape.join(', ')}]`;

export const inception = defineLayer<InceptionBlock>({
  type: 'inception',
  category: 'block',
  text: {
    label: text('Inception block', 'Inception 块'),
    summary: text('Runs several branches (1×1, 3×3, pooling…) on the same input and stacks their channels: the net picks its own scales.', '在同一输入上并行运行多个分支（1×1、3×3、池化……）并拼接其通道：让网络自己选择尺度。'),
  },
  params: {
    branches: {
      kind: 'branches',
      label: text('Branches', '分支'),
      min: 2,
      newBranch: () => [{ type: 'conv2d', filters: 4, kernelSize: 1, padding: 'same', activation: 'relu' }],
    },
  },
  create: () => ({
    type: 'inception',
    branches: [
      [{ type: 'conv2d', filters: 4, kernelSize: 1, padding: 'same', activation: 'relu' }],
      [{ type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }],
    ],
  }),
  describe: (l) => `inception ×${l.branches.length}`,
  infer(layer, input, ctx) {
    // A wrong input still lets each branch be checked, from an unknown shape.
    const x = input.length === 3 ? input : (imageInput('inception', input, ctx), null);
    const results = layer.branches.map((branch, b) => ctx.stack(branch, x, ['branches', b]));
    const children = results.map((r) => r.infos);
    if (!x || results.some((r) => !r.output)) return { outputShape: null, children };
    const outputs = results.map((r) => r.output!);
    const first = outputs[0]!;
    let channels = 0;
    for (const [b, out] of outputs.entries()) {
      if (out.length !== 3) {
        ctx.report(`outputs ${fmt(out)}: inception branches must output [height, width, channels]`, ['branches', b]);
        return { outputShape: null, children };
      }
      if (out[0] !== first[0] || out[1] !== first[1]) {
        ctx.report(`outputs ${out[0]}×${out[1]} but branches[0] outputs ${first[0]}×${first[1]}: inception branches must keep the same height and width`, ['branches', b]);
        return { outputShape: null, children };
      }
      channels += out[2]!;
    }
    return { outputShape: [first[0]!, first[1]!, channels], children };
  },
  tricks: NO_TRICKS,
  block: {
    stacks: (l) => l.branches.map((layers, b) => ({ at: ['branches', b], layers })),
    withStacks: (l, branches) => ({ ...l, branches }),
  },
});
