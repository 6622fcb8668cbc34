import { defineBuilder } from './builder.js';

// buildModel makes the first layer the tfjs input itself, and the exporters read InputLayer structurally.
export const input = defineBuilder<'input'>({
  type: 'input',
  build() {
    throw new Error('an input layer may only be the first layer');
  },
  tfjs: {},
});
