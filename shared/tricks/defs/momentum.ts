import { defineTrick } from '../descriptor.js';
import { learningRate, momentumCoefficient } from '../params.js';

export const momentum = defineTrick({
  id: 'momentum',
  group: 'optimizer',
  kind: 'loop',
  choice: 'optimizer',
  label: 'SGD with momentum',
  summary:
    'Keeps a velocity v ← μ·v + g and steps w ← w − η·v. Consistent gradient directions build up speed while oscillating ones cancel, which helps along narrow valleys of the loss.',
  params: { learningRate: learningRate(0.01), momentum: momentumCoefficient(0.9) },
});
