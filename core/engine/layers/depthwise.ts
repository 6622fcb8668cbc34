// What the depthwise and separable convolutions share: their initialiser's fans and their ONNX kernels.
import type { OnnxContext } from './builder.js';

/**
 * A depthwise filter sees kh·kw inputs (one channel), and Keras counts its fans as for a dense kernel over
 * [kh, kw, channels, multiplier], which makes He/LeCun far too small: the init tricks get the true fan-in.
 */
export const depthwiseFans = (kh: number, kw: number, multiplier: number) => ({ fanIn: kh * kw, fanOut: kh * kw * multiplier });

/** tfjs [kh, kw, C, m] → ONNX [C·m, 1, kh, kw] for a Conv with group C (output channel c·m + j, as tfjs orders it). */
export function onnxDepthwiseKernel(data: Float32Array, [kh, kw, c, m]: number[]): { data: Float32Array; dims: number[] } {
  const out = new Float32Array(data.length);
  for (let h = 0; h < kh!; h++)
    for (let w = 0; w < kw!; w++)
      for (let ch = 0; ch < c!; ch++) for (let j = 0; j < m!; j++) out[((ch * m! + j) * kh! + h) * kw! + w] = data[((h * kw! + w) * c! + ch) * m! + j]!;
  return { data: out, dims: [c! * m!, 1, kh!, kw!] };
}

/** The depthwise Conv node (group = channels) on an NCHW value, without bias. */
export function depthwiseNode(ctx: OnnxContext, x: string, kernel: { data: Float32Array; shape: number[] }, bias?: { data: Float32Array; shape: number[] }): string {
  const c = ctx.config;
  const kernelSize: [number, number] = [kernel.shape[0]!, kernel.shape[1]!];
  const strides = (Array.isArray(c.strides) ? c.strides : [c.strides ?? 1, c.strides ?? 1]) as [number, number];
  const w = onnxDepthwiseKernel(kernel.data, kernel.shape);
  const args = [x, ctx.weight('depthwise_kernel', w.data, w.dims)];
  if (bias) args.push(ctx.weight('bias', bias.data, bias.shape));
  return ctx.node('Conv', args, [
    ctx.ints('kernel_shape', kernelSize),
    ctx.ints('strides', strides),
    ctx.ints('pads', ctx.pads(c.padding as string, kernelSize, strides)),
    ctx.int('group', kernel.shape[2]!),
  ]);
}
