import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { activationParam, numberParam, text, type ActivationName } from '../params.js';

export interface ActivationLayer {
  type: 'activation';
  name?: string;
  activation: ActivationName;
  /** Slope for leakyRelu (default 0.3), scale for elu (default 1). */
  alpha?: number;
}

export const activation = defineLayer<ActivationLayer>({
  type: 'activation',
  category: 'activation',
  text: {
    label: text('Activation', '激活'),
    summary: text('Applies a non-linearity on its own (relu, leakyRelu, elu, sigmoid, tanh, softmax), e.g. after batch norm.', '单独施加一个非线性函数（relu、leakyRelu、elu、sigmoid、tanh、softmax），例如放在批归一化之后。'),
  },
  params: {
    activation: activationParam(false),
    alpha: numberParam(text('Alpha', 'Alpha'), { min: 0, minExclusive: true, optional: true, step: 0.1 }),
  },
  create: () => ({ type: 'activation', activation: 'relu' }),
  describe: (l) => l.activation,
  infer(layer, input, ctx) {
    if (layer.alpha === undefined) return { outputShape: input };
    if (layer.activation !== 'leakyRelu' && layer.activation !== 'elu') {
      return ctx.fail(`applies to leakyRelu and elu only, not ${layer.activation} (got ${layer.alpha})`, 'alpha');
    }
    // TensorFlow.js's ELU layer throws on any other alpha when the model is built.
    if (layer.activation === 'elu' && layer.alpha !== 1) return ctx.fail(`must be 1 for elu: TensorFlow.js implements no other (got ${layer.alpha})`, 'alpha');
    return { outputShape: input };
  },
  tricks: NO_TRICKS,
});
