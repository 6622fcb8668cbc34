import { defineTrick } from '../descriptor.js';

export const scaleUnit = defineTrick({
  id: 'scaleUnit',
  group: 'data',
  kind: 'data',
  choice: 'inputScaling',
  label: 'Scale inputs to [0, 1]',
  summary:
    'Maps the inputs linearly onto [0, 1] using the training split\'s minimum and maximum, per feature for tables and over all pixels for images. Raw pixel values of 0–255 make the first layer\'s pre-activations huge; scaled inputs keep them in the range where gradients flow.',
  params: {},
});
