// Multi-head self-attention [N, T, D] → [N, T, D] as one tfjs layer. tfjs-layers 4.22 ships a MultiHeadAttention
// (not exported) built on tf.einsum, which has no gradient in tfjs-core: it cannot train. This one uses matMul,
// transpose and softmax, which every backend differentiates. Weights: query, key and value kernels [D, H·K] with
// biases [H·K], the output kernel [H·K, D] with its bias [D] (Keras's count). Registered for serialization, so a
// TF.js export reloads wherever this module is loaded.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Initializer, Regularizer } from '../builder.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type LayerVariable = { read(): tf.Tensor };

export interface SelfAttentionArgs extends LayerArgs {
  numHeads: number;
  keyDim: number;
  useBias?: boolean;
  /** Query, key, value and output kernels, in that order (seeded by the builder). */
  initializers?: [Initializer, Initializer, Initializer, Initializer];
  kernelRegularizer?: Regularizer;
}

export const ATTENTION_PARTS = ['query', 'key', 'value', 'output'] as const;

export class MultiHeadSelfAttention extends tfl.layers.Layer {
  static className = 'MultiHeadSelfAttention';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly useBias: boolean;
  private readonly initializers: Initializer[];
  private readonly kernelRegularizer: Regularizer | undefined;
  private kernels: LayerVariable[] = [];
  private biases: LayerVariable[] = [];

  constructor(args: SelfAttentionArgs) {
    super(args);
    this.numHeads = args.numHeads;
    this.keyDim = args.keyDim;
    this.useBias = args.useBias ?? true;
    // Reloaded from a file the weights arrive with it: zeros until then.
    this.initializers = args.initializers ?? ATTENTION_PARTS.map(() => tfl.initializers.zeros());
    this.kernelRegularizer = args.kernelRegularizer;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const width = shape[shape.length - 1]!;
    const inner = this.numHeads * this.keyDim;
    const zeros = tfl.initializers.zeros();
    for (const [i, part] of ATTENTION_PARTS.entries()) {
      const kernelShape = part === 'output' ? [inner, width] : [width, inner];
      this.kernels.push(this.addWeight(`${part}_kernel`, kernelShape, 'float32', this.initializers[i], this.kernelRegularizer) as unknown as LayerVariable);
      if (this.useBias) this.biases.push(this.addWeight(`${part}_bias`, [part === 'output' ? width : inner], 'float32', zeros) as unknown as LayerVariable);
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => {
      const [n, t, width] = x.shape as [number, number, number];
      const h = this.numHeads;
      const k = this.keyDim;
      const rows = tf.reshape(x, [n * t, width]);
      const project = (i: number, input: tf.Tensor) => {
        const y = tf.matMul(input as tf.Tensor2D, this.kernels[i]!.read() as tf.Tensor2D);
        return this.useBias ? tf.add(y, this.biases[i]!.read()) : y;
      };
      // [N·T, H·K] → [N, H, T, K]
      const heads = (i: number) => tf.transpose(tf.reshape(project(i, rows), [n, t, h, k]), [0, 2, 1, 3]);
      const scores = tf.mul(tf.matMul(heads(0), heads(1), false, true), 1 / Math.sqrt(k));
      const mixed = tf.matMul(tf.softmax(scores), heads(2));
      const merged = tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [n * t, h * k]);
      return tf.reshape(project(3, merged), [n, t, width]);
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads, keyDim: this.keyDim, useBias: this.useBias };
  }
}

tf.serialization.registerClass(MultiHeadSelfAttention);
