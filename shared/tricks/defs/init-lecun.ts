import { defineTrick } from '../descriptor.js';

export const initLecun = defineTrick({
  id: 'initLecun',
  group: 'initialisation',
  kind: 'network',
  choice: 'init',
  label: 'LeCun init N(0, 1/n_in)',
  summary:
    'Draws weights from a normal distribution with variance 1/fan-in. Each unit\'s pre-activation then has about the variance of one input, so signals keep their scale through linear and tanh layers, while every ReLU layer, which zeroes half of them, halves the variance (He init makes up for it).',
  params: {},
});
