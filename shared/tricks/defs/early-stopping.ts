import { defineTrick } from '../descriptor.js';

export const earlyStopping = defineTrick({
  id: 'earlyStopping',
  group: 'regularisation',
  kind: 'loop',
  label: 'Early stopping',
  summary:
    'Watches the validation loss and stops training when it has not improved by at least min-delta for `patience` epochs. By default the weights of the best epoch are then put back, also when training ran to its last epoch (as Keras 3 does; `restoreBest` chooses).',
  params: {
    patience: { kind: 'integer', label: 'Patience', help: 'Epochs without improvement before stopping.', default: 5, min: 1, max: 1000 },
    minDelta: { kind: 'number', label: 'Min delta', help: 'Smallest drop in validation loss that counts as an improvement.', default: 0, min: 0, max: 10 },
    restoreBest: {
      kind: 'enum',
      label: 'Restore best weights',
      help: 'always: end with the weights of the best epoch; whenStopped: only when training stopped early (Keras 2); never: keep the last weights.',
      default: 'always',
      options: ['always', 'whenStopped', 'never'],
      // Configs stored before this was a choice said true or false; true restored even without a stop.
      fromBoolean: { true: 'always', false: 'never' },
    },
  },
});
