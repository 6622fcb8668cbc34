// Packs named tensors into one byte array plus a JSON index, for checkpoints that cross process
// boundaries and land in the store. Little-endian float32/int32, as tfjs's own weights.bin.
import * as tf from '@tensorflow/tfjs-core';

export interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** Byte offset into the blob. */
  offset: number;
}

export interface PackedTensors {
  entries: TensorEntry[];
  bytes: Uint8Array;
}

export async function packTensors(named: ReadonlyArray<{ name: string; tensor: tf.Tensor }>): Promise<PackedTensors> {
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const { name, tensor } of named) {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const data = await tensor.data();
    const typed = dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
    const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    entries.push({ name, shape: tensor.shape.slice(), dtype, offset });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const bytes = new Uint8Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { entries, bytes };
}

export function unpackTensors(packed: PackedTensors): Array<{ name: string; tensor: tf.Tensor }> {
  // Copy into an aligned buffer first: the blob may come from a Buffer at any offset.
  const aligned = new Uint8Array(packed.bytes.byteLength);
  aligned.set(packed.bytes);
  return packed.entries.map((entry) => {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    const view =
      entry.dtype === 'int32'
        ? new Int32Array(aligned.buffer, entry.offset, size)
        : new Float32Array(aligned.buffer, entry.offset, size);
    return { name: entry.name, tensor: tf.tensor(view.slice(), entry.shape, entry.dtype) };
  });
}
