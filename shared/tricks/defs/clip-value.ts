import { defineTrick } from '../descriptor.js';

export const clipValue = defineTrick({
  id: 'clipValue',
  group: 'gradient',
  kind: 'loop',
  label: 'Clip gradients by value',
  summary:
    'Clamps every gradient component to [-c, c]. It is cheaper than norm clipping but changes the step\'s direction when only some components are large.',
  params: {
    clipValue: { kind: 'number', label: 'Limit c', help: 'Each gradient component is clamped to [-c, c].', default: 0.5, min: 0, minExclusive: true, max: 1e6, scale: 'log' },
  },
});
