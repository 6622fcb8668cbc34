import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { activationParam, text, type ActivationName } from '../params.js';
import { activationText } from '../shapes.js';
import type { LayerSpec } from '../registry.js';
import type { Shape } from '../../spec/inference.js';

/** A nested stack whose output is added to its input; a 1×1 projection is inserted when shapes differ. */
export interface ResidualBlock {
  type: 'residual';
  name?: string;
  layers: LayerSpec[];
  /** Applied after the addition (ResNet uses relu). */
  activation?: ActivationName;
}

/** The shortcut's own weights when the body changes the shape. */
export interface ProjectionInfo {
  kind: 'conv1x1' | 'dense';
  strides: [number, number];
  params: number;
}

const fmt = (shape: Shape) => `[${shape.join(', ')}]`;
const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);

/** The 1×1 projection that maps `input` onto `out`, or null when none does. */
export function projectionFor(input: Shape, out: Shape): ProjectionInfo | null {
  if (input.length !== out.length) return null;
  if (out.length === 1) return { kind: 'dense', strides: [1, 1], params: input[0]! * out[0]! + out[0]! };
  if (out.length !== 3) return null;
  // A 1×1 'valid' convolution with stride s maps n to floor((n - 1) / s) + 1: find the s that lands on out.
  const strides = [0, 1].map((axis) => Math.ceil(input[axis]! / out[axis]!));
  const fits = [0, 1].every((axis) => Math.floor((input[axis]! - 1) / strides[axis]!) + 1 === out[axis]);
  return fits ? { kind: 'conv1x1', strides: [strides[0]!, strides[1]!], params: input[2]! * out[2]! + out[2]! } : null;
}

export const residual = defineLayer<ResidualBlock>({
  type: 'residual',
  category: 'block',
  text: {
    label: text('Residual block', '残差块'),
    summary: text('Adds the block\'s input back to its output: gradients reach early layers through the shortcut, so deep stacks train.', '把块的输入加回到输出上：梯度可以经捷径到达靠前的层，因此很深的网络也能训练。'),
  },
  params: {
    activation: activationParam(true),
    layers: { kind: 'stack', label: text('Layers', '层') },
  },
  create: () => ({ type: 'residual', layers: [{ type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }], activation: 'relu' }),
  describe: (l) => `residual${activationText(l.activation)}`,
  infer(layer, input, ctx) {
    const inner = ctx.stack(layer.layers, input, ['layers']);
    const out = inner.output;
    const children = [inner.infos];
    if (!out) return { outputShape: null, children };
    if (sameShape(input, out)) return { outputShape: input, children };
    const projection = projectionFor(input, out);
    if (!projection) {
      ctx.report(`residual branch output ${fmt(out)} cannot be added to its input ${fmt(input)}: no 1×1 projection maps one onto the other`);
      return { outputShape: null, children };
    }
    const label = projection.kind === 'dense' ? 'dense' : `conv2d 1×1 /${projection.strides.join('×')}`;
    return {
      outputShape: out,
      children,
      params: projection.params,
      extras: [{ label: `projection ${label}`, params: projection.params }],
      details: { projection },
    };
  },
  tricks: NO_TRICKS,
  block: {
    stacks: (l) => [{ at: ['layers'], layers: l.layers }],
    withStacks: (l, [layers]) => ({ ...l, layers: layers! }),
  },
});
