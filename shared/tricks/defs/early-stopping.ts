import { defineTrick } from '../descriptor.js';

export const earlyStopping = defineTrick({
  id: 'earlyStopping',
  group: 'regularisation',
  kind: 'loop',
  label: 'Early stopping (restore best)',
  summary:
    'Watches the validation loss and stops when it has not improved by at least min-delta for `patience` epochs. The weights of the best epoch are restored, so the model you keep is the one that generalised best.',
  params: {
    patience: { kind: 'integer', label: 'Patience', help: 'Epochs without improvement before stopping.', default: 5, min: 1, max: 1000 },
    minDelta: { kind: 'number', label: 'Min delta', help: 'Smallest drop in validation loss that counts as an improvement.', default: 0, min: 0, max: 10 },
    restoreBest: { kind: 'boolean', label: 'Restore best weights', help: 'Put back the weights of the epoch with the lowest validation loss.', default: true },
  },
});
