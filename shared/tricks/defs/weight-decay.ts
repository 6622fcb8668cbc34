import { defineTrick } from '../descriptor.js';
import { penalty } from '../params.js';

export const weightDecay = defineTrick({
  id: 'weightDecay',
  group: 'regularisation',
  kind: 'loop',
  label: 'Decoupled weight decay (AdamW)',
  summary:
    'At every optimizer step, also shrinks every kernel by the factor (1 − learning rate · rate), computed from the weights before the step as in PyTorch\'s AdamW. Unlike an L2 penalty it is not rescaled by Adam\'s per-weight step sizes, which is the fix AdamW brought to Adam.',
  params: { rate: penalty(1e-4, 'Decay rate; the per-step shrink is learning rate × rate.') },
});
