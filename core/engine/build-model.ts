// Builds a TensorFlow.js model from a model spec through the functional API, so residual and inception
// blocks are real graph branches. Shapes match shared/spec/inference.ts exactly (tests check it). Each layer
// type's own tfjs form lives in core/engine/layers/; this file walks the stack and owns the seeds.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ActivationName, InitializerName, LayerSpec, ModelSpec, RegularizerSpec } from '../../shared/index.js';
import type { BuildContext, Initializer, Regularizer, Symbolic } from './layers/builder.js';
import { builderFor } from './layers/registry.js';

export interface BuildOptions {
  /** Seeds every initializer (each layer gets its own stream derived from it). */
  seed: number;
  /** Half-width a of U(-a, a) for the `uniform` initializer. */
  uniformLimit?: number;
}

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

  /** Each layer type builds itself (core/engine/layers/); this class holds the seeds and the naming. */
  private layer(layer: LayerSpec, x: Symbolic, path: string): Symbolic {
    const ctx: BuildContext = {
      path,
      apply: (l, input) => this.apply(l, input),
      stack: (layers, input, at) => this.stack(layers, input, `${path}.${at}`),
      initializer: (name, fanIn, fanOut) => this.initializer(name, fanIn, fanOut),
      seed: () => this.nextSeed(),
      regularizer,
      activation: (name, input, alpha) => this.activation(name, input, alpha),
    };
    return builderFor(layer.type).build(layer, x, ctx);
  }

  private activation(name: ActivationName, x: Symbolic, alpha?: number): Symbolic {
    if (name === 'leakyRelu') return this.apply(tfl.layers.leakyReLU({ alpha: alpha ?? 0.3 }), x);
    if (name === 'elu') return this.apply(tfl.layers.elu({ alpha: alpha ?? 1 }), x);
    return this.apply(tfl.layers.activation({ activation: name }), x);
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
