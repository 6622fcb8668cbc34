import { defineTrick } from '../descriptor.js';
import { decayFactor } from '../params.js';

export const lrExponential = defineTrick({
  id: 'lrExponential',
  group: 'schedule',
  kind: 'loop',
  choice: 'lrSchedule',
  label: 'Learning rate ×γ per epoch',
  summary:
    'Multiplies the learning rate by γ after every epoch, so epoch e uses η·γ^e. Large early steps cover ground quickly and small late steps settle into a minimum.',
  params: { gamma: decayFactor(0.95) },
});
