import { defineTrick } from '../descriptor.js';
import { epsilon } from '../params.js';

export const batchNorm = defineTrick({
  id: 'batchNorm',
  group: 'normalisation',
  kind: 'network',
  label: 'Batch normalisation',
  summary:
    'Inserts a batch-normalisation layer after every hidden dense and convolution layer, before its activation. Each unit\'s pre-activation is re-centred and re-scaled per batch, which allows larger learning rates and makes the network less sensitive to its initialisation.',
  params: {
    momentum: {
      kind: 'number',
      label: 'Momentum',
      help: 'How slowly the moving mean and variance used at inference follow the batch statistics.',
      default: 0.99,
      min: 0,
      minExclusive: true,
      max: 1,
      maxExclusive: true,
    },
    epsilon: epsilon(0.001),
  },
});
