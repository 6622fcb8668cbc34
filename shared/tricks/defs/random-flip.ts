import { defineTrick } from '../descriptor.js';

export const randomFlip = defineTrick({
  id: 'randomFlip',
  group: 'augmentation',
  kind: 'data',
  label: 'Random horizontal flip',
  summary:
    'Mirrors each training image left to right with the given probability, drawn afresh every epoch; validation and test images are never touched. A shirt or a car is the same class mirrored, so the network sees twice the variety for free; for digits and letters, whose mirror image is another shape, it hurts.',
  params: {
    probability: {
      kind: 'number',
      default: 0.5,
      min: 0,
      minExclusive: true,
      max: 1,
      label: 'Probability',
      help: 'Chance that a training image is mirrored in a given epoch.',
    },
  },
  inputs: 'images',
});
