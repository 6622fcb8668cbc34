// What the 2-D pooling builders share: tfjs arguments from the spec, and the ONNX and import forms.
import type { Size2 } from '../../../shared/index.js';
import { size2 } from '../../../shared/index.js';
import { pair, type ImportContext, type OnnxContext, type OnnxValue } from './builder.js';

export const poolArgs = (layer: { poolSize: Size2; strides?: Size2; padding?: 'valid' | 'same' }) => ({
  poolSize: size2(layer.poolSize),
  strides: size2(layer.strides ?? layer.poolSize),
  padding: layer.padding ?? 'valid',
});

export function poolOnnx(op: 'MaxPool' | 'AveragePool', [x]: OnnxValue[], ctx: OnnxContext): OnnxValue {
  const poolSize = pair(ctx.config.poolSize as number | number[]);
  const strides = pair((ctx.config.strides as number | number[] | null) ?? poolSize);
  const attributes = [
    ctx.ints('kernel_shape', poolSize),
    ctx.ints('strides', strides),
    ctx.ints('pads', ctx.pads(ctx.config.padding as string, poolSize, strides)),
  ];
  // tfjs averages over the real pixels only: ONNX's count_include_pad = 0 (its default) does the same.
  return { name: ctx.node(op, [x!.name], attributes), rank: 4 };
}

export const poolFromTfjs = (type: 'maxPool2d' | 'avgPool2d', { config: c, size, padding }: ImportContext) => ({
  type,
  poolSize: size(c.poolSize),
  strides: size(c.strides ?? c.poolSize),
  padding: padding(c.padding),
});
