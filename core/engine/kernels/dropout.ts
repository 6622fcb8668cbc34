// Dropout masks from a counter-based hash instead of a random stream consumed in order.
//
// tfjs-layers draws each mask from Math.random (seeded around training), so a mask depended on everything drawn
// before it: split a batch across threads and every thread would draw other masks. Here a unit's mask is a pure
// function of (the step's key — run seed, member, epoch, batch —, the sample's row in the whole batch, the layer,
// the unit): the same on one thread or N, on every backend, and after a resume. The class keeps tfjs-layers' class
// name ('Dropout'), so saved and exported models are unchanged; outside a training stream (a model applied
// directly, the parity cases) it is tfjs's own dropout.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Where a training forward pass stands: the step's key and the first row of this pass within the whole batch. */
export interface DropoutStream {
  key: number;
  rowOffset: number;
}

let current: DropoutStream | null = null;

/** Runs `fn` with dropout masks drawn from `stream` (restores the previous stream after). */
export function withDropoutStream<T>(stream: DropoutStream, fn: () => T): T {
  const previous = current;
  current = stream;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** A 32-bit integer hash with full avalanche (Wellons' lowbias32). */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A layer's key from its spec path (FNV-1a, then mixed). */
export function layerKeyOf(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return mix32(h >>> 0);
}

/**
 * The multipliers tfjs's dropout applies (0 or 1/(1 − rate), rounded to float32 as tfjs's `div(floor(u + keep), keep)`
 * gives them) for `rows` samples starting at `rowOffset` of the batch, `units` values each.
 */
export function dropoutMultipliers(key: number, layerKey: number, rowOffset: number, rows: number, units: number, rate: number): Float32Array {
  const out = new Float32Array(rows * units);
  const scale = Math.fround(1 / Math.fround(1 - rate));
  // Kept when the unit's uniform draw h/2³² is at least `rate`.
  const threshold = Math.min(Math.ceil(rate * 4294967296), 4294967296);
  const base = mix32((key ^ layerKey) >>> 0);
  for (let r = 0; r < rows; r++) {
    const rowKey = mix32((base + Math.imul(rowOffset + r, 0x9e3779b1)) >>> 0);
    const at = r * units;
    for (let u = 0; u < units; u++) {
      const h = mix32((rowKey + Math.imul(u, 0x85ebca77)) >>> 0);
      out[at + u] = h >= threshold ? scale : 0;
    }
  }
  return out;
}

type DropoutLayer = ReturnType<typeof tfl.layers.dropout>;
type DropoutArgs = Parameters<typeof tfl.layers.dropout>[0];
const Dropout = tfl.layers.dropout({ rate: 0.5 }).constructor as new (args: DropoutArgs) => DropoutLayer;

export class CountedDropout extends Dropout {
  /** tfjs-layers' class name: serialised configs and exports do not change. */
  static className = 'Dropout';

  constructor(
    args: DropoutArgs,
    /** From the layer's spec path: the same in every replica of the model, whatever tfjs named the layer. */
    readonly layerKey: number,
  ) {
    super(args);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const stream = current;
    const rate = (this as unknown as { rate: number }).rate;
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const noiseShape = (this as unknown as { noiseShape?: unknown }).noiseShape;
    if (!stream || kwargs.training !== true || !(rate > 0 && rate < 1) || noiseShape != null || x.rank < 1) {
      return super.call(inputs, kwargs as never);
    }
    return tf.tidy(() => {
      const rows = x.shape[0]!;
      const units = rows === 0 ? 0 : x.size / rows;
      const multipliers = tf.tensor(dropoutMultipliers(stream.key, this.layerKey, stream.rowOffset, rows, units, rate), x.shape, 'float32');
      return tf.mul(x, multipliers);
    });
  }
}

/** Drop-in for `tfl.layers.dropout(args)` with masks keyed by the layer's spec path. */
export function countedDropout(args: DropoutArgs, path: string): CountedDropout {
  return new CountedDropout(args, layerKeyOf(path));
}
