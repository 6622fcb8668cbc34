import { defineTrick } from '../descriptor.js';

export const dropout = defineTrick({
  id: 'dropout',
  group: 'regularisation',
  kind: 'network',
  label: 'Dropout',
  summary:
    'Inserts a dropout layer after every hidden dense layer: during training each unit is zeroed with probability p and the rest are scaled by 1/(1-p). Units cannot rely on particular partners, which acts like training an ensemble of thinned networks.',
  params: {
    rate: { kind: 'number', label: 'Drop probability p', help: 'Fraction of units zeroed at each training step.', default: 0.5, min: 0, max: 1, maxExclusive: true },
  },
});
