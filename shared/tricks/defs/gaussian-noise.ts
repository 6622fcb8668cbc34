import { defineTrick } from '../descriptor.js';

export const gaussianNoise = defineTrick({
  id: 'gaussianNoise',
  group: 'augmentation',
  kind: 'data',
  label: 'Gaussian input noise',
  summary:
    'Adds fresh normal noise to every input value of every training batch (never to validation or test data), its standard deviation a fraction of the inputs\' own. The network cannot rely on exact values, which acts like a penalty on sharp weights; too much noise hides the signal.',
  params: {
    std: {
      kind: 'number',
      default: 0.1,
      min: 0,
      minExclusive: true,
      max: 2,
      label: 'Noise (× input std)',
      help: "Standard deviation of the noise as a fraction of the training split's standard deviation (per feature for tables, over all pixels for images), whatever the input scaling.",
    },
  },
});
