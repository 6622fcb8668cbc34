import { defineLayer } from '../descriptor.js';
import { activationText, featuresInput } from '../shapes.js';
import { positiveInt, text, weightedParams, WEIGHTED_TRICKS, type WeightedFields } from '../params.js';

export interface DenseLayer extends WeightedFields {
  type: 'dense';
  name?: string;
  units: number;
}

export const dense = defineLayer<DenseLayer>({
  type: 'dense',
  category: 'core',
  text: {
    label: text('Dense', '全连接'),
    summary: text(
      'Every output unit sees every input feature: the classifier head, and the layers of a multilayer perceptron (on [steps, features], the same weights at every step).',
      '每个输出单元连接全部输入特征：用作分类头，也是多层感知机的基本层（作用于 [步数, 特征数] 时，每一步共享同一组权重）。',
    ),
  },
  params: { units: positiveInt(text('Units', '单元数')), ...weightedParams },
  create: () => ({ type: 'dense', units: 32, activation: 'relu' }),
  describe: (l) => `dense ${l.units}${activationText(l.activation)}`,
  infer(layer, input, ctx) {
    // Like Keras's Dense, it acts on the last axis: on a sequence, the same weights at every step.
    const x = featuresInput('dense', input, ctx);
    if (!x) return null;
    const params = x[x.length - 1]! * layer.units + (layer.useBias === false ? 0 : layer.units);
    return { outputShape: [...x.slice(0, -1), layer.units], params };
  },
  weighted: true,
  tricks: WEIGHTED_TRICKS,
});
