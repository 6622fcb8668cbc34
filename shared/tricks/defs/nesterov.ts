import { defineTrick } from '../descriptor.js';
import { learningRate, momentumCoefficient } from '../params.js';

export const nesterov = defineTrick({
  id: 'nesterov',
  group: 'optimizer',
  kind: 'loop',
  choice: 'optimizer',
  label: 'Nesterov momentum',
  summary:
    'Momentum that looks ahead: the step uses g + μ·v, the gradient as it will be after the velocity is applied. It corrects overshooting sooner than classic momentum.',
  params: { learningRate: learningRate(0.01), momentum: momentumCoefficient(0.9) },
});
