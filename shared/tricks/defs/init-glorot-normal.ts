import { defineTrick } from '../descriptor.js';

export const initGlorotNormal = defineTrick({
  id: 'initGlorotNormal',
  group: 'initialisation',
  kind: 'network',
  choice: 'init',
  label: 'Xavier/Glorot normal init',
  summary:
    'Draws weights from N(0, 2/(n_in + n_out)), balancing the variance of the forward signal and of the backward gradient. It suits tanh layers, whose slope near zero is one, while ReLU layers, which zero half of their inputs, shrink the signal from layer to layer.',
  params: {},
});
