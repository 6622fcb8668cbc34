import { defineTrick } from '../descriptor.js';
import { penalty } from '../params.js';

export const l1 = defineTrick({
  id: 'l1',
  group: 'regularisation',
  kind: 'network',
  label: 'L1 weight penalty',
  summary:
    'Adds λ·Σ|w| over the kernels of the stack\'s dense and convolution layers to the loss (layers with their own regularizer keep it). Its constant pull towards zero drives unimportant weights to exactly zero, giving sparse layers.',
  params: { lambda: penalty(1e-5, 'Weight of the absolute-value penalty in the loss.') },
});
