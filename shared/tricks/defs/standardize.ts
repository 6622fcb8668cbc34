import { defineTrick } from '../descriptor.js';

export const standardize = defineTrick({
  id: 'standardize',
  group: 'data',
  kind: 'data',
  choice: 'inputScaling',
  label: 'Standardise inputs',
  summary:
    'Subtracts each feature\'s training-split mean and divides by its standard deviation. Every feature then has mean 0 and variance 1, so no single feature dominates the first layer just because of its units.',
  params: {},
});
