import { defineTrick } from '../descriptor.js';
import { epsilon, learningRate, momentumCoefficient } from '../params.js';

export const rmsprop = defineTrick({
  id: 'rmsprop',
  group: 'optimizer',
  kind: 'loop',
  choice: 'optimizer',
  label: 'RMSProp',
  summary:
    'Divides each weight\'s step by a moving root-mean-square of its recent gradients plus ε, as PyTorch defines it (the learning rate multiplies the momentum buffer, not each gradient in it). Unlike Adagrad it forgets old gradients, so step sizes adapt without shrinking forever.',
  params: {
    learningRate: learningRate(0.001),
    rho: {
      kind: 'number',
      label: 'Decay ρ',
      help: 'How slowly the mean of squared gradients forgets.',
      default: 0.9,
      min: 0,
      minExclusive: true,
      max: 1,
      maxExclusive: true,
    },
    momentum: momentumCoefficient(0),
    epsilon: epsilon(1e-8),
    centered: {
      kind: 'boolean',
      label: 'Centered',
      help: 'Divide by the moving standard deviation of the gradients (their mean square minus their squared mean) instead.',
      default: false,
    },
  },
});
