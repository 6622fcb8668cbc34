import { defineTrick } from '../descriptor.js';

export const initGlorotUniform = defineTrick({
  id: 'initGlorotUniform',
  group: 'initialisation',
  kind: 'network',
  choice: 'init',
  label: 'Xavier/Glorot uniform init',
  summary:
    'Draws weights from U(-a, a) with a = √(6/(n_in + n_out)), the same variance as Glorot normal. It is the TensorFlow.js and Keras default for dense and convolution layers.',
  params: {},
});
