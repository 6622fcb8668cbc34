// ONNX helpers of the sequence layers: 3-D values are held as [N, T, F] (tfjs's order); ONNX's 1-D convolutions
// and pools want [N, F, T], so they transpose around their node.
import type { OnnxContext } from './builder.js';

/** [N, T, F] ↔ [N, F, T]. */
export const swapSteps = (ctx: OnnxContext, name: string): string => ctx.node('Transpose', [name], [ctx.ints('perm', [0, 2, 1])]);

/** A tfjs window size or stride that may come as a number or a one-element list. */
export const one = (v: unknown): number => (Array.isArray(v) ? (v[0] as number) : (v as number));

/** ONNX pads [start, end] of a 1-D window: tfjs 'same' puts the extra step at the end. */
export function pads1d(padding: string, length: number, kernel: number, stride: number): [number, number] {
  if (padding !== 'same') return [0, 0];
  const total = Math.max((Math.ceil(length / stride) - 1) * stride + kernel - length, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Last-axis ReduceMean/ReduceMax over the steps of [N, T, F] (opset 13: axes as an attribute). */
export const reduceSteps = (ctx: OnnxContext, op: 'ReduceMean' | 'ReduceMax', name: string): string =>
  ctx.node(op, [name], [ctx.ints('axes', [1]), ctx.int('keepdims', 0)]);
