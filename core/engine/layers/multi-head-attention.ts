import { defineBuilder, DEFAULT_INITIALIZER, type BuildContext, type OnnxContext, type OnnxValue, type Symbolic } from './builder.js';
import { MultiHeadSelfAttention } from './classes/self-attention.js';
import type { InitializerName, RegularizerSpec } from '../../../shared/index.js';

/** The attention layer with seeded kernels (a block's own, or a multiHeadAttention card's). */
export function applyAttention(
  ctx: BuildContext,
  x: Symbolic,
  name: string,
  a: { numHeads: number; keyDim: number; useBias?: boolean; initializer?: InitializerName; regularizer?: RegularizerSpec },
): Symbolic {
  const width = x.shape[x.shape.length - 1] as number;
  const inner = a.numHeads * a.keyDim;
  const init = a.initializer ?? DEFAULT_INITIALIZER;
  const kernelRegularizer = ctx.regularizer(a.regularizer);
  const layer = new MultiHeadSelfAttention({
    name,
    numHeads: a.numHeads,
    keyDim: a.keyDim,
    useBias: a.useBias ?? true,
    initializers: [ctx.initializer(init, width, inner), ctx.initializer(init, width, inner), ctx.initializer(init, width, inner), ctx.initializer(init, inner, width)],
    ...(kernelRegularizer ? { kernelRegularizer } : {}),
  });
  return ctx.apply(layer, x);
}

/** Composed from MatMul, Transpose and Softmax on [N, T, D] (opset 13 has no attention op). */
function attentionOnnx([x]: OnnxValue[], ctx: OnnxContext): OnnxValue {
  const c = ctx.config;
  const heads = c.numHeads as number;
  const k = c.keyDim as number;
  const w = ctx.weights();
  const useBias = c.useBias !== false;
  const kernel = (i: number) => w[useBias ? 2 * i : i]!;
  const bias = (i: number) => (useBias ? w[2 * i + 1]! : null);
  const part = ['query', 'key', 'value', 'output'];
  const project = (i: number, from: string) => {
    const y = ctx.node('MatMul', [from, ctx.weight(`${part[i]}_kernel`, kernel(i).data, kernel(i).shape)]);
    const b = bias(i);
    return b ? ctx.node('Add', [y, ctx.weight(`${part[i]}_bias`, b.data, b.shape)]) : y;
  };
  // [N, T, H·K] → [N, T, H, K] → [N, H, T, K] (keys: [N, H, K, T]).
  const split = (name: string, perm: number[]) => ctx.node('Transpose', [ctx.node('Reshape', [name, ctx.int64s('heads', [0, 0, heads, k])])], [ctx.ints('perm', perm)]);
  const q = split(project(0, x!.name), [0, 2, 1, 3]);
  const keys = split(project(1, x!.name), [0, 2, 3, 1]);
  const v = split(project(2, x!.name), [0, 2, 1, 3]);
  const scores = ctx.node('Mul', [ctx.node('MatMul', [q, keys]), ctx.weight('scale', Float32Array.of(1 / Math.sqrt(k)), [])]);
  const mixed = ctx.node('MatMul', [ctx.node('Softmax', [scores], [ctx.int('axis', -1)]), v]);
  const merged = ctx.node('Reshape', [ctx.node('Transpose', [mixed], [ctx.ints('perm', [0, 2, 1, 3])]), ctx.int64s('merged', [0, 0, heads * k])]);
  return { name: project(3, merged), rank: 3 };
}

export const multiHeadAttention = defineBuilder<'multiHeadAttention'>({
  type: 'multiHeadAttention',
  build: (layer, x, ctx) => applyAttention(ctx, x, ctx.path, layer),
  tfjs: {
    MultiHeadSelfAttention: {
      onnx: attentionOnnx,
      zeroGradients: ['key_bias'],
      import: {
        toSpec: ({ config: c }) => [{ type: 'multiHeadAttention', numHeads: c.numHeads as number, keyDim: c.keyDim as number, useBias: c.useBias !== false }],
      },
    },
  },
});
