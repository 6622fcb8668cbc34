// What the 2-D pooling layers share: their fields and their shape rule (the channels pass through).
import type { Inferred, InferContext, LayerParamsOf } from './descriptor.js';
import { paddingParam, stridesParam, text, windowParam, type Padding, type Size2 } from './params.js';
import type { Shape } from '../spec/inference.js';
import { imageInput, windowOutput, windowText } from './shapes.js';

export interface Pool2dFields {
  name?: string;
  poolSize: Size2;
  /** Defaults to poolSize. */
  strides?: Size2;
  padding?: Padding;
}

export const poolParams: LayerParamsOf<Pool2dFields> = {
  poolSize: windowParam(text('Pool size', '池化大小')),
  strides: stridesParam(),
  padding: paddingParam,
};

export function inferPool(type: string, layer: Pool2dFields, input: Shape, ctx: InferContext): Inferred | null {
  const x = imageInput(type, input, ctx);
  if (!x) return null;
  const out = windowOutput(x, layer.poolSize, layer.strides, layer.padding ?? 'valid', 'poolSize', ctx);
  return out ? { outputShape: [out[0], out[1], x[2]!] } : null;
}

export const describePool = (type: string, layer: Pool2dFields) => `${type} ${windowText(layer.poolSize)}${layer.padding === 'same' ? ' same' : ''}`;
