import { defineTrick } from '../descriptor.js';
import { penalty } from '../params.js';

export const l1 = defineTrick({
  id: 'l1',
  group: 'regularisation',
  kind: 'network',
  label: 'L1 weight penalty',
  summary:
    'Adds λ·Σ|w| over the kernels of the stack\'s dense and convolution layers to the loss (layers with their own regularizer keep it). Its constant pull towards zero pushes unimportant weights close to zero, where gradient steps leave them hovering (exact zeros would need a thresholding step), so layers become nearly sparse.',
  params: { lambda: penalty(1e-5, 'Weight of the absolute-value penalty in the loss.') },
});
