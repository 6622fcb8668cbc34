import * as tfl from '@tensorflow/tfjs-layers';
import { defineBuilder, DEFAULT_INITIALIZER, type ImportContext, type TfjsLayer } from './builder.js';

/** A linear Dense, or a linear 1×1 Conv2D: what a residual shortcut's projection looks like. */
function isProjection(layer: TfjsLayer, size: ImportContext['size']): boolean {
  const c = layer.getConfig() as Record<string, unknown>;
  if (layer.getClassName() === 'Dense') return (c.activation ?? 'linear') === 'linear';
  return layer.getClassName() === 'Conv2D' && size(c.kernelSize) === 1 && (c.activation ?? 'linear') === 'linear';
}

export const residual = defineBuilder<'residual'>({
  type: 'residual',
  build(layer, x, ctx) {
    const y = ctx.stack(layer.layers, x, 'layers');
    let shortcut = x;
    const inShape = x.shape.slice(1) as number[];
    const outShape = y.shape.slice(1) as number[];
    if (inShape.join() !== outShape.join()) {
      // The 1×1 projection shared/layers/defs/residual.ts counts: dense on vectors, a strided 1×1 conv on images.
      const channels = outShape[outShape.length - 1]!;
      const fanIn = inShape[inShape.length - 1]!;
      const kernelInitializer = ctx.initializer(DEFAULT_INITIALIZER, fanIn, channels);
      const projection =
        outShape.length === 1
          ? tfl.layers.dense({ name: `${ctx.path}.projection`, units: channels, kernelInitializer })
          : tfl.layers.conv2d({
              name: `${ctx.path}.projection`,
              filters: channels,
              kernelSize: 1,
              strides: [0, 1].map((a) => Math.ceil(inShape[a]! / outShape[a]!)) as [number, number],
              padding: 'valid',
              kernelInitializer,
            });
      shortcut = ctx.apply(projection, x);
    }
    const sum = ctx.apply(tfl.layers.add(), [y, shortcut]);
    return layer.activation && layer.activation !== 'linear' ? ctx.activation(layer.activation, sum) : sum;
  },
  tfjs: {
    Add: {
      onnx: (inputs, ctx) => ({ name: inputs.slice(1).reduce((acc, v) => ctx.node('Add', [acc, v.name]), inputs[0]!.name), rank: inputs[0]!.rank }),
      import: {
        merge: true,
        note: 'residual',
        // An Add whose branches meet at a common input, one of them the input itself or a single 1×1 projection of it.
        toSpec({ inputs, stop, fork: forkOf, chain, inboundOf, size }) {
          if (inputs.length !== 2) throw stop('a residual addition needs exactly two inputs');
          const fork = forkOf(inputs);
          const isShortcut = (l: TfjsLayer) => l === fork || (inboundOf(l)[0] === fork && isProjection(l, size));
          const shortcut = inputs.findIndex(isShortcut);
          if (shortcut < 0) throw stop('neither input is the block input or a 1×1 projection of it, so this is not a residual block');
          const body = chain(inputs[1 - shortcut]!, fork);
          if (body.length === 0) throw stop('the residual branch holds no layers');
          return [{ type: 'residual', layers: body }];
        },
      },
    },
  },
});
