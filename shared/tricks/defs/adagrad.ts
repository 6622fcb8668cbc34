import { defineTrick } from '../descriptor.js';
import { learningRate } from '../params.js';

export const adagrad = defineTrick({
  id: 'adagrad',
  group: 'optimizer',
  kind: 'loop',
  choice: 'optimizer',
  label: 'Adagrad',
  summary:
    'Divides each weight\'s step by the square root of the sum of all its past squared gradients. Rarely updated weights keep large steps, but every step shrinks over time, which can stall long runs.',
  params: {
    learningRate: learningRate(0.01),
    initialAccumulator: {
      kind: 'number',
      label: 'Initial accumulator',
      help: 'Starting value of the sum of squared gradients.',
      default: 0.1,
      min: 0,
      minExclusive: true,
      max: 10,
    },
  },
});
