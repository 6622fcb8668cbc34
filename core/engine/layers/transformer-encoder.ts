import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder, DEFAULT_INITIALIZER, type Symbolic } from './builder.js';
import { applyAttention } from './multi-head-attention.js';

// Built from the sub-layers' own tfjs classes (self-attention, layer norm, Add, Dropout, Dense): their ONNX forms
// and import rules serve it, and an imported TF.js transformer becomes residual blocks and layer norms (the same
// computation).
export const transformerEncoder = defineBuilder<'transformerEncoder'>({
  type: 'transformerEncoder',
  build(layer, x, ctx) {
    const width = x.shape[2] as number;
    const rate = layer.dropout ?? 0;
    const norm = (name: string, v: Symbolic) =>
      ctx.apply(tfl.layers.layerNormalization({ name: `${ctx.path}.${name}`, axis: -1, epsilon: layer.epsilon ?? 0.001 }), v);
    // Never a seed: tfjs would reuse one mask for every batch (see FINDINGS).
    const drop = (v: Symbolic) => (rate > 0 ? ctx.apply(tfl.layers.dropout({ rate }), v) : v);
    const attend = (v: Symbolic) => applyAttention(ctx, v, `${ctx.path}.attention`, layer);
    const feedForward = (v: Symbolic) => {
      const y = ctx.stack(layer.feedForward, v, 'feedForward');
      const out = y.shape[2] as number;
      if (out === width) return y;
      const kernelInitializer = ctx.initializer(DEFAULT_INITIALIZER, out, width);
      return ctx.apply(tfl.layers.dense({ name: `${ctx.path}.projection`, units: width, kernelInitializer }), y);
    };
    const add = (a: Symbolic, b: Symbolic) => ctx.apply(tfl.layers.add(), [a, b]);
    if (layer.normFirst) {
      const h = add(x, drop(attend(norm('norm1', x))));
      return add(h, drop(feedForward(norm('norm2', h))));
    }
    const h = norm('norm1', add(x, drop(attend(x))));
    return norm('norm2', add(h, drop(feedForward(h))));
  },
  tfjs: {},
});
