import { defineTrick } from '../descriptor.js';

export const scaleSymmetric = defineTrick({
  id: 'scaleSymmetric',
  group: 'data',
  kind: 'data',
  choice: 'inputScaling',
  label: 'Scale inputs to [-1, 1]',
  summary:
    'Maps the inputs linearly onto [-1, 1] using the training split\'s minimum and maximum, per feature for tables and over all pixels for images. Inputs centred on zero let a unit\'s weights move in both directions at once, which tends to speed up the first epochs.',
  params: {},
});
