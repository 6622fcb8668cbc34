import { defineTrick } from '../descriptor.js';

export const lrCosine = defineTrick({
  id: 'lrCosine',
  group: 'schedule',
  kind: 'loop',
  choice: 'lrSchedule',
  label: 'Cosine decay',
  summary:
    'Lowers the learning rate epoch by epoch along half a cosine wave, from η in the first epoch towards η·minFactor, which it reaches as the last epoch ends, so no epoch trains at the floor itself. The decay is gentle at both ends and fastest in the middle of training.',
  params: {
    minFactor: {
      kind: 'number',
      label: 'Floor factor',
      help: 'Where the curve ends, as a fraction of the initial learning rate.',
      default: 0.01,
      min: 0,
      max: 1,
      maxExclusive: true,
    },
  },
});
