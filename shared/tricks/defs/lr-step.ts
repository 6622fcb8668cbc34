import { defineTrick } from '../descriptor.js';
import { decayFactor, epochCount } from '../params.js';

export const lrStep = defineTrick({
  id: 'lrStep',
  group: 'schedule',
  kind: 'loop',
  choice: 'lrSchedule',
  label: 'Step decay',
  summary:
    'Multiplies the learning rate by γ every `step` epochs and holds it constant in between. The sudden drops often show as sharp falls in the loss curve.',
  params: {
    stepSize: epochCount(5, 'Step (epochs)', 'Number of epochs between two decays.'),
    gamma: decayFactor(0.5),
  },
});
