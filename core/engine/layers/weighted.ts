// What the weighted layers (dense, conv2d, …) share when built: a seeded kernel initializer from the fan-in and
// fan-out, the L1/L2 regularizer, and leakyRelu (which tfjs has no activation string for) as its own layer.
import type { Size2, WeightedFields } from '../../../shared/index.js';
import { size2 } from '../../../shared/index.js';
import { DEFAULT_INITIALIZER, type BuildContext, type Initializer, type Regularizer, type Symbolic, type TfjsLayer } from './builder.js';

export interface WeightedCommon {
  name: string;
  useBias: boolean;
  kernelInitializer: Initializer;
  kernelRegularizer: Regularizer | undefined;
}

/**
 * Builds a weighted layer: `make` creates the tfjs layer from the common arguments and the activation to fuse.
 * `window` is the kernel's spatial size (1 for dense), `outputs` its units or filters.
 */
export function buildWeighted(
  layer: WeightedFields,
  x: Symbolic,
  ctx: BuildContext,
  window: Size2,
  outputs: number,
  make: (common: WeightedCommon, activation: string) => TfjsLayer,
): Symbolic {
  const [kh, kw] = size2(window);
  const fanIn = kh * kw * (x.shape[x.shape.length - 1] as number);
  const fanOut = kh * kw * outputs;
  const common: WeightedCommon = {
    name: ctx.path,
    useBias: layer.useBias ?? true,
    kernelInitializer: ctx.initializer(layer.initializer ?? DEFAULT_INITIALIZER, fanIn, fanOut),
    kernelRegularizer: ctx.regularizer(layer.regularizer),
  };
  return withActivation(layer.activation, x, ctx, (activation) => make(common, activation));
}

/** Applies the tfjs layer `make` builds with its activation fused, except leakyRelu, which tfjs has no string for: a linear layer, then its own activation layer. */
export function withActivation(activation: string | undefined, x: Symbolic, ctx: BuildContext, make: (activation: string) => TfjsLayer): Symbolic {
  const name = activation ?? 'linear';
  const y = ctx.apply(make(name === 'leakyRelu' ? 'linear' : name), x);
  return name === 'leakyRelu' ? ctx.activation('leakyRelu', y) : y;
}
