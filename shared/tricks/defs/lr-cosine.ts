import { defineTrick } from '../descriptor.js';

export const lrCosine = defineTrick({
  id: 'lrCosine',
  group: 'schedule',
  kind: 'loop',
  choice: 'lrSchedule',
  label: 'Cosine decay',
  summary:
    'Lowers the learning rate along half a cosine wave from η at the first epoch to η·minFactor at the last. The decay is gentle at both ends and fastest in the middle of training.',
  params: {
    minFactor: {
      kind: 'number',
      label: 'Final factor',
      help: 'Learning rate at the end, as a fraction of the initial one.',
      default: 0,
      min: 0,
      max: 1,
      maxExclusive: true,
    },
  },
});
