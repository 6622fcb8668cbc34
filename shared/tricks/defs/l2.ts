import { defineTrick } from '../descriptor.js';
import { penalty } from '../params.js';

export const l2 = defineTrick({
  id: 'l2',
  group: 'regularisation',
  kind: 'network',
  label: 'L2 weight penalty',
  summary:
    'Adds λ·Σw² over the kernels of the stack\'s dense and convolution layers to the loss (layers with their own regularizer keep it). Large weights cost more, so the network prefers many small weights and tends to overfit less.',
  params: { lambda: penalty(1e-4, 'Weight of the squared-norm penalty in the loss.') },
});
