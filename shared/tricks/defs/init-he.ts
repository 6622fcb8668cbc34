import { defineTrick } from '../descriptor.js';

export const initHe = defineTrick({
  id: 'initHe',
  group: 'initialisation',
  kind: 'network',
  choice: 'init',
  label: 'He init N(0, 2/n_in)',
  summary:
    'Draws weights from a normal distribution with variance 2/fan-in. ReLU zeroes half of its inputs, and the factor 2 makes up for it so deep ReLU stacks keep their signal.',
  params: {},
});
