// A learned vector per position added to a sequence [N, T, D]: tfjs-layers 4.22 has no public layer for it (its
// nlp PositionEmbedding returns the table instead of adding it, and is not exported). Registered for
// serialization, so a TF.js export reloads wherever this module is loaded.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Initializer } from '../builder.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type LayerVariable = { read(): tf.Tensor } & Record<string, unknown>;

export class LearnedPositionEmbedding extends tfl.layers.Layer {
  static className = 'LearnedPositionEmbedding';
  private readonly initializer: Initializer;
  private table: LayerVariable | null = null;

  constructor(args: LayerArgs & { initializer?: Initializer } = {}) {
    super(args);
    // Reloaded from a file the weights arrive with it: zeros until then.
    this.initializer = args.initializer ?? tfl.initializers.zeros();
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    this.table = this.addWeight('embeddings', [shape[1]!, shape[2]!], 'float32', this.initializer) as unknown as LayerVariable;
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => tf.add(x, this.table!.read()));
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }
}

tf.serialization.registerClass(LearnedPositionEmbedding);
