// The output head: how predictions become a loss, accuracy and probabilities. A softmax (or sigmoid)
// output followed by a cross-entropy loss is trained on logits (the activation is folded into the loss),
// which is exact and numerically stable; probabilities are computed from the logits where needed.
import * as tf from '@tensorflow/tfjs-core';
import { isWeighted, layerDescriptor, type LayerSpec, type ModelSpec } from '../../shared/index.js';

export interface Head {
  kind: 'softmax' | 'sigmoid' | 'linear';
  /** The spec that is built for training: identical except the folded output activation. */
  spec: ModelSpec;
  loss(ys: tf.Tensor, out: tf.Tensor): tf.Scalar;
  /** Number of correctly classified rows, as a float scalar. */
  correct(ys: tf.Tensor, out: tf.Tensor): tf.Scalar;
  probabilities(out: tf.Tensor): tf.Tensor;
}

export function prepareHead(spec: ModelSpec): Head {
  const kind = spec.loss === 'categoricalCrossentropy' ? 'softmax' : spec.loss === 'binaryCrossentropy' ? 'sigmoid' : 'linear';
  const trainingSpec = kind === 'linear' ? spec : { ...spec, layers: foldOutputActivation(spec.layers, kind) };
  const correct = (ys: tf.Tensor, out: tf.Tensor): tf.Scalar =>
    tf.tidy(() => {
      const units = out.shape[out.shape.length - 1]!;
      const hits =
        units === 1
          ? tf.equal(tf.greater(out, kind === 'linear' ? 0.5 : 0), tf.greater(ys, 0.5))
          : tf.equal(tf.argMax(out, -1), tf.argMax(ys, -1));
      return tf.sum(tf.cast(hits, 'float32'));
    });
  switch (kind) {
    case 'softmax':
      return { kind, spec: trainingSpec, correct, loss: (ys, out) => tf.losses.softmaxCrossEntropy(ys, out) as tf.Scalar, probabilities: (out) => tf.softmax(out) };
    case 'sigmoid':
      return { kind, spec: trainingSpec, correct, loss: (ys, out) => tf.losses.sigmoidCrossEntropy(ys, out) as tf.Scalar, probabilities: (out) => tf.sigmoid(out) };
    case 'linear':
      return { kind, spec, correct, loss: (ys, out) => tf.losses.meanSquaredError(ys, out) as tf.Scalar, probabilities: (out) => tf.clone(out) };
  }
}

function foldOutputActivation(layers: readonly LayerSpec[], kind: 'softmax' | 'sigmoid'): LayerSpec[] {
  const last = layers[layers.length - 1];
  if (!last) return [...layers];
  if (last.type === 'activation' && last.activation === kind) return layers.slice(0, -1);
  // A weighted layer's activation is fused into it (its descriptor says so): fold it the same way. A recurrent
  // cell's activation works inside the recurrence: it stays.
  if (isWeighted(last) && !layerDescriptor(last.type).cellActivation && last.activation === kind) {
    return [...layers.slice(0, -1), { ...last, activation: 'linear' } as LayerSpec];
  }
  return [...layers];
}
