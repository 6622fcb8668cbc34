import { defineTrick } from '../descriptor.js';

export const initNormal = defineTrick({
  id: 'initNormal',
  group: 'initialisation',
  kind: 'network',
  choice: 'init',
  label: 'Normal init N(0, 1) (bad baseline)',
  summary:
    'Draws every weight from a standard normal distribution, ignoring the layer\'s size. Activations then grow by about √fan-in per layer and saturate or explode: keep it as the baseline that shows why scaled initialisation matters.',
  params: {},
});
