// Builds a TensorFlow.js model from a model spec through the functional API, so residual and inception
// blocks are real graph branches. Shapes match shared/spec/inference.ts exactly (tests check it).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  size2,
  type ActivationName,
  type InitializerName,
  type LayerSpec,
  type ModelSpec,
  type RegularizerSpec,
  type WeightedLayer,
} from '../../shared/index.js';
import { batchNormalization } from './kernels/batch-norm.js';

type Symbolic = tfl.SymbolicTensor;
type Initializer = ReturnType<typeof tfl.initializers.randomNormal>;
type Regularizer = ReturnType<typeof tfl.regularizers.l1l2>;

export interface BuildOptions {
  /** Seeds every initializer (each layer gets its own stream derived from it). */
  seed: number;
  /** Half-width a of U(-a, a) for the `uniform` initializer. */
  uniformLimit?: number;
}

/** Keras's default when a spec sets none. */
const DEFAULT_INITIALIZER: InitializerName = 'glorotUniform';

export function buildModel(spec: ModelSpec, options: BuildOptions): tfl.LayersModel {
  const [first, ...rest] = spec.layers;
  if (!first || first.type !== 'input') throw new Error('layers[0] must be the input layer');
  const builder = new Builder(options);
  const input = tfl.input({ shape: first.shape, name: 'input' });
  const output = builder.stack(rest, input, 'layers', 1);
  return tfl.model({ inputs: input, outputs: output, name: slug(spec.name) });
}

/**
 * Weighted layers are named after their spec path with dots (`layers.3.layers.0`; tfjs names allow no
 * brackets), so statistics and exports can point back at the card they came from.
 */
export function tfjsNameOf(path: string): string {
  return path.replace(/\[(\d+)\]/g, '.$1');
}

/** The inverse of tfjsNameOf, tolerant of the `_1` suffix tfjs adds to repeated names. */
export function specPathOf(name: string): string {
  return name.replace(/_\d+$/, '').replace(/\.(\d+)/g, '[$1]');
}

function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'model';
}

class Builder {
  private layerCount = 0;

  constructor(private readonly options: BuildOptions) {}

  stack(layers: readonly LayerSpec[], x: Symbolic, base: string, offset = 0): Symbolic {
    return layers.reduce((acc, layer, i) => this.layer(layer, acc, `${base}.${offset + i}`), x);
  }

  /** Distinct, deterministic seeds per initializer: the same spec and seed always give the same weights. */
  private nextSeed(): number {
    this.layerCount += 1;
    return (this.options.seed * 1_000_003 + this.layerCount * 7_919) % 2_147_483_647;
  }

  private apply(layer: tfl.layers.Layer, x: Symbolic | Symbolic[]): Symbolic {
    return layer.apply(x) as Symbolic;
  }

  private layer(layer: LayerSpec, x: Symbolic, path: string): Symbolic {
    switch (layer.type) {
      case 'input':
        throw new Error('an input layer may only be the first layer');
      case 'dense':
      case 'conv2d':
        return this.weighted(layer, x, path);
      case 'maxPool2d':
      case 'avgPool2d': {
        const args = {
          poolSize: size2(layer.poolSize),
          strides: size2(layer.strides ?? layer.poolSize),
          padding: layer.padding ?? 'valid',
        };
        return this.apply(layer.type === 'maxPool2d' ? tfl.layers.maxPooling2d(args) : tfl.layers.averagePooling2d(args), x);
      }
      case 'globalAvgPool2d':
        return this.apply(tfl.layers.globalAveragePooling2d({}), x);
      case 'flatten':
        return x.shape.length === 2 ? x : this.apply(tfl.layers.flatten(), x);
      case 'dropout':
        // Never pass a seed: tfjs then reuses one mask for every batch (see FINDINGS).
        return this.apply(tfl.layers.dropout({ rate: layer.rate }), x);
      case 'batchNorm':
        return this.apply(
          batchNormalization({ axis: -1, momentum: layer.momentum ?? 0.99, epsilon: layer.epsilon ?? 0.001 }),
          x,
        );
      case 'activation':
        return this.activation(layer.activation, x, layer.alpha);
      case 'residual':
        return this.residual(layer.layers, layer.activation, x, path);
      case 'inception': {
        const outputs = layer.branches.map((branch, b) => this.stack(branch, x, `${path}.branches.${b}`));
        return this.apply(tfl.layers.concatenate({ axis: -1 }), outputs);
      }
    }
  }

  private weighted(layer: WeightedLayer, x: Symbolic, path: string): Symbolic {
    const inShape = x.shape;
    const [kh, kw] = layer.type === 'conv2d' ? size2(layer.kernelSize) : [1, 1];
    const fanIn = kh * kw * (inShape[inShape.length - 1] as number);
    const outputs = layer.type === 'conv2d' ? layer.filters : layer.units;
    const fanOut = kh * kw * outputs;
    const common = {
      name: path,
      useBias: layer.useBias ?? true,
      kernelInitializer: this.initializer(layer.initializer ?? DEFAULT_INITIALIZER, fanIn, fanOut),
      kernelRegularizer: regularizer(layer.regularizer),
    };
    const activation = layer.activation ?? 'linear';
    // leakyRelu has no activation string in tfjs: emit a linear layer followed by its own activation layer.
    const fused = activation === 'leakyRelu' ? 'linear' : activation;
    const core =
      layer.type === 'dense'
        ? tfl.layers.dense({ ...common, units: layer.units, activation: fused })
        : tfl.layers.conv2d({
            ...common,
            filters: layer.filters,
            kernelSize: size2(layer.kernelSize),
            strides: size2(layer.strides ?? 1),
            padding: layer.padding ?? 'valid',
            activation: fused,
          });
    const y = this.apply(core, x);
    return activation === 'leakyRelu' ? this.activation('leakyRelu', y) : y;
  }

  private activation(name: ActivationName, x: Symbolic, alpha?: number): Symbolic {
    if (name === 'leakyRelu') return this.apply(tfl.layers.leakyReLU({ alpha: alpha ?? 0.3 }), x);
    if (name === 'elu') return this.apply(tfl.layers.elu({ alpha: alpha ?? 1 }), x);
    return this.apply(tfl.layers.activation({ activation: name }), x);
  }

  private residual(layers: readonly LayerSpec[], activation: ActivationName | undefined, x: Symbolic, path: string): Symbolic {
    const y = this.stack(layers, x, `${path}.layers`);
    let shortcut = x;
    const inShape = x.shape.slice(1) as number[];
    const outShape = y.shape.slice(1) as number[];
    if (inShape.join() !== outShape.join()) {
      const channels = outShape[outShape.length - 1]!;
      const fanIn = inShape[inShape.length - 1]!;
      const kernelInitializer = this.initializer(DEFAULT_INITIALIZER, fanIn, channels);
      const projection =
        outShape.length === 1
          ? tfl.layers.dense({ name: `${path}.projection`, units: channels, kernelInitializer })
          : tfl.layers.conv2d({
              name: `${path}.projection`,
              filters: channels,
              kernelSize: 1,
              strides: [0, 1].map((a) => Math.ceil(inShape[a]! / outShape[a]!)) as [number, number],
              padding: 'valid',
              kernelInitializer,
            });
      shortcut = this.apply(projection, x);
    }
    const sum = this.apply(tfl.layers.add(), [y, shortcut]);
    return activation && activation !== 'linear' ? this.activation(activation, sum) : sum;
  }

  /**
   * tfjs's variance-scaling normals draw a truncated normal without Keras's correction (std ≈ 0.88× the
   * target, see FINDINGS), so every normal scheme here is an exact randomNormal with the stated std.
   */
  private initializer(name: InitializerName, fanIn: number, fanOut: number): Initializer {
    const seed = this.nextSeed();
    const normal = (variance: number) => tfl.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(variance), seed });
    const uniform = (limit: number) => tfl.initializers.randomUniform({ minval: -limit, maxval: limit, seed });
    switch (name) {
      case 'uniform':
        return uniform(this.options.uniformLimit ?? 0.05);
      case 'normal':
        return normal(1);
      case 'lecunNormal':
        return normal(1 / fanIn);
      case 'glorotNormal':
        return normal(2 / (fanIn + fanOut));
      case 'glorotUniform':
        return uniform(Math.sqrt(6 / (fanIn + fanOut)));
      case 'heNormal':
        return normal(2 / fanIn);
      case 'heUniform':
        return uniform(Math.sqrt(6 / fanIn));
    }
  }
}

function regularizer(spec: RegularizerSpec | undefined): Regularizer | undefined {
  if (!spec || (!spec.l1 && !spec.l2)) return undefined;
  return tfl.regularizers.l1l2({ l1: spec.l1 ?? 0, l2: spec.l2 ?? 0 });
}

export { tf };
