import { defineTrick } from '../descriptor.js';

export const scaleSymmetric = defineTrick({
  id: 'scaleSymmetric',
  group: 'data',
  kind: 'data',
  choice: 'inputScaling',
  label: 'Scale inputs to [-1, 1]',
  summary:
    'Maps every input feature linearly onto [-1, 1] using the training split\'s minimum and maximum. Inputs centred on zero let a unit\'s weights move in both directions at once, which tends to speed up the first epochs.',
  params: {},
});
