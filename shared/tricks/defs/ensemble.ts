import { defineTrick } from '../descriptor.js';

export const ensemble = defineTrick({
  id: 'ensemble',
  group: 'averaging',
  kind: 'loop',
  label: 'Ensemble of K seeds',
  summary:
    'Trains K copies of the model from different seeds and averages their predicted probabilities. Their errors are partly independent, so the average is usually more accurate than any single member.',
  params: {
    members: { kind: 'integer', label: 'Members K', help: 'Number of independently seeded models.', default: 3, min: 2, max: 10 },
  },
});
