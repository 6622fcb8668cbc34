import { defineTrick } from '../descriptor.js';

export const initUniform = defineTrick({
  id: 'initUniform',
  group: 'initialisation',
  kind: 'network',
  choice: 'init',
  label: 'Uniform init U(-a, a)',
  summary:
    'Draws every weight from a uniform distribution on [-a, a], whatever the layer size. With a fixed a, wide layers get outputs whose variance grows with the fan-in, which is why scaled schemes were invented.',
  params: {
    limit: { kind: 'number', label: 'Limit a', help: 'Weights are drawn from U(-a, a).', default: 0.05, min: 0, minExclusive: true, max: 10 },
  },
});
