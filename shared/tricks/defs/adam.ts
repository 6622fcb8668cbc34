import { defineTrick } from '../descriptor.js';
import { epsilon, learningRate } from '../params.js';

const beta = (label: string, defaultValue: number, help: string) =>
  ({ kind: 'number', label, help, default: defaultValue, min: 0, max: 1, maxExclusive: true }) as const;

export const adam = defineTrick({
  id: 'adam',
  group: 'optimizer',
  kind: 'loop',
  choice: 'optimizer',
  label: 'Adam',
  summary:
    'Combines momentum (a moving mean of gradients) with RMSProp\'s per-weight scaling, both bias-corrected for the first steps. It is a robust default that needs little tuning of the learning rate.',
  params: {
    learningRate: learningRate(0.001),
    beta1: beta('β1', 0.9, 'Decay of the moving mean of gradients.'),
    beta2: beta('β2', 0.999, 'Decay of the moving mean of squared gradients.'),
    epsilon: epsilon(1e-7),
  },
});
