import { defineTrick } from '../descriptor.js';
import { epochCount } from '../params.js';

export const lrWarmup = defineTrick({
  id: 'lrWarmup',
  group: 'schedule',
  kind: 'loop',
  label: 'Linear warm-up',
  summary:
    'Raises the learning rate linearly, batch by batch, from startFactor·η to η over the first epochs, then hands over to the decay schedule. It keeps the first, poorly informed steps of adaptive optimizers and batch norm from going astray.',
  params: {
    epochs: epochCount(1, 'Warm-up epochs', 'Epochs over which the learning rate ramps up.'),
    startFactor: {
      kind: 'number',
      label: 'Start factor',
      help: 'Learning rate of the very first batch, as a fraction of η.',
      default: 0.1,
      min: 0,
      max: 1,
      maxExclusive: true,
    },
  },
});
