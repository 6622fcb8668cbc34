import { defineTrick } from '../descriptor.js';

export const randomShift = defineTrick({
  id: 'randomShift',
  group: 'augmentation',
  kind: 'data',
  label: 'Random shift (pad and crop)',
  summary:
    'Moves each training image by a random whole number of pixels, up to the given amount in each direction, filling the uncovered border (as padding the image and cropping it back would); drawn afresh every epoch, never applied to validation or test images. The network learns that an object is the same a few pixels further on, which convolutions alone only partly give.',
  params: {
    pixels: {
      kind: 'integer',
      default: 2,
      min: 1,
      max: 16,
      label: 'Largest shift (pixels)',
      help: 'Each image moves by up to this many pixels left or right and up or down (CIFAR recipes use 4 on 32 × 32).',
    },
    fill: {
      kind: 'enum',
      default: 'zero',
      options: ['zero', 'edge'],
      label: 'Fill',
      help: 'What the uncovered border shows: zero (black, a raw pixel value of 0, before input scaling) or the nearest edge pixel repeated.',
    },
  },
  inputs: 'images',
});
