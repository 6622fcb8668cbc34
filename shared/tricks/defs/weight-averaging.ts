import { defineTrick } from '../descriptor.js';
import { epochCount } from '../params.js';

export const weightAveraging = defineTrick({
  id: 'weightAveraging',
  group: 'averaging',
  kind: 'loop',
  label: 'Weight averaging (SWA)',
  summary:
    'Averages the weights at the end of each of the last k epochs into one model, then recomputes batch-norm statistics for it. The average sits nearer the centre of a wide minimum than any single end point, which usually generalises better.',
  params: {
    lastEpochs: epochCount(5, 'Last k epochs', 'Number of final epochs whose weights are averaged.', 2),
  },
});
