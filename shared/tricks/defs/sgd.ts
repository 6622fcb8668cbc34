import { defineTrick } from '../descriptor.js';
import { learningRate } from '../params.js';

export const sgd = defineTrick({
  id: 'sgd',
  group: 'optimizer',
  kind: 'loop',
  choice: 'optimizer',
  label: 'SGD',
  summary:
    'Plain stochastic gradient descent: w ← w − η·g on every batch. It is the baseline every other optimizer improves on, and with a good schedule it still generalises very well.',
  params: { learningRate: learningRate(0.01) },
});
