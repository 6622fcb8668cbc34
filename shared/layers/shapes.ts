// Shape helpers several rules share: rank checks with the standard wording, and sliding windows.
import { errorText } from '../spec/messages.js';
import type { Shape } from '../spec/inference.js';
import type { InferContext } from './descriptor.js';
import { size2, type Padding, type Size2 } from './params.js';

export const volume = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** null after reporting that `type` needs a 1-D input. */
export function vectorInput(type: string, input: Shape, ctx: InferContext): Shape | null {
  return input.length === 1 ? input : ctx.fail(errorText.needsVector(type, input));
}

/** null after reporting that `type` needs [features] or [steps, features] (it acts on the last axis). */
export function featuresInput(type: string, input: Shape, ctx: InferContext): Shape | null {
  return input.length === 1 || input.length === 2 ? input : ctx.fail(errorText.needsFeatures(type, input));
}

/** null after reporting that `type` needs a 2-D [steps, features] input. */
export function sequenceInput(type: string, input: Shape, ctx: InferContext): Shape | null {
  return input.length === 2 ? input : ctx.fail(errorText.needsSequence(type, input));
}

/** null after reporting that `type` needs a 1-D input of token ids. */
export function tokenInput(type: string, input: Shape, ctx: InferContext): Shape | null {
  return input.length === 1 ? input : ctx.fail(errorText.needsTokens(type, input));
}

/** Output length of a 1-D window over `length` steps (tfjs's rule), or null after reporting a window too long. */
export function windowOutput1d(length: number, window: number, stride: number, padding: Padding, field: string, ctx: InferContext): number | null {
  if (padding !== 'valid') return Math.ceil(length / stride);
  if (window > length) return ctx.fail(`${window} is longer than its ${length} steps (padding "valid"): use a smaller window or padding "same"`, field);
  return Math.floor((length - window) / stride) + 1;
}

/** null after reporting that `type` needs a 3-D [height, width, channels] input. */
export function imageInput(type: string, input: Shape, ctx: InferContext): Shape | null {
  return input.length === 3 ? input : ctx.fail(errorText.needsImage(type, input));
}

/** Output height and width of a sliding window (tfjs's rule), or null after reporting a window too large. */
export function windowOutput(
  input: Shape,
  window: Size2,
  strides: Size2 | undefined,
  padding: Padding,
  field: string,
  ctx: InferContext,
): [number, number] | null {
  const [kh, kw] = size2(window);
  const [sh, sw] = size2(strides ?? window);
  const [h, w] = [input[0]!, input[1]!];
  if (padding === 'same') return [Math.ceil(h / sh), Math.ceil(w / sw)];
  if (kh > h || kw > w) return ctx.fail(errorText.windowTooLarge(kh, kw, h, w), field);
  return [Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1];
}

/** `3×3`, `2×3`. */
export const windowText = (s: Size2) => size2(s).join('×');

/** ` relu` for a summary line; nothing for linear or unset. */
export const activationText = (a?: string) => (a && a !== 'linear' ? ` ${a}` : '');
