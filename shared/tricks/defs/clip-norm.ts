import { defineTrick } from '../descriptor.js';

export const clipNorm = defineTrick({
  id: 'clipNorm',
  group: 'gradient',
  kind: 'loop',
  label: 'Clip gradients by global norm θ',
  summary:
    'When the norm of all gradients together exceeds θ, scales every gradient by θ/norm. The direction of the step is kept, only its length is capped, which tames the rare huge gradient that would wreck training.',
  params: {
    maxNorm: { kind: 'number', label: 'Threshold θ', help: 'Largest global gradient norm allowed.', default: 1, min: 0, minExclusive: true, max: 1e6, scale: 'log' },
  },
});
