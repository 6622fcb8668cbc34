import { defineTrick } from '../descriptor.js';

export const standardize = defineTrick({
  id: 'standardize',
  group: 'data',
  kind: 'data',
  choice: 'inputScaling',
  label: 'Standardise inputs',
  summary:
    'Subtracts the training split\'s mean and divides by its standard deviation, per feature for tables and over all pixels for images. The inputs then have mean 0 and variance 1, so no feature dominates the first layer just because of its units.',
  params: {},
});
