// A small reader for the IDX files MNIST-style datasets ship in (optionally gzipped), so the bench can train on real
// Fashion-MNIST (Debian's dataset-fashion-mnist: /usr/share/datasets/fashion-mnist/) for its real-size workload.
// Bench-only on purpose: the product's importer is its own piece of work. Format: a 4-byte magic (0, 0, type code,
// number of dimensions; type 0x08 = unsigned byte), one big-endian uint32 per dimension, then the data row-major.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Dataset, Split } from '../core/engine/data/dataset.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export interface Idx {
  dims: number[];
  data: Uint8Array;
}

/** Parses IDX bytes (gunzipped first when they start with the gzip magic). Only unsigned-byte data. */
export function parseIdx(raw: Uint8Array): Idx {
  const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? new Uint8Array(gunzipSync(raw)) : raw;
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new Error('not an IDX file (bad magic)');
  if (bytes[2] !== 0x08) throw new Error(`IDX data type 0x${bytes[2]!.toString(16)} is not unsigned byte (0x08)`);
  const rank = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new Error(`IDX header of rank ${rank} is truncated`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - header !== size) throw new Error(`IDX data has ${bytes.length - header} bytes, dims [${dims.join(', ')}] need ${size}`);
  return { dims, data: bytes.subarray(header) };
}

export function readIdx(path: string): Idx {
  return parseIdx(readFileSync(path));
}

/** Images (0–255 as float32, the engine's raw-pixel convention) and one-hot labels of rows [from, from + count). */
function split(images: Idx, labels: Idx, from: number, count: number, classes: number): Split {
  const features = images.dims.slice(1).reduce((a, b) => a * b, 1);
  const x = new Float32Array(count * features);
  const px = images.data.subarray(from * features, (from + count) * features);
  for (let i = 0; i < px.length; i++) x[i] = px[i]!;
  const y = new Float32Array(count * classes);
  for (let r = 0; r < count; r++) {
    const label = labels.data[from + r]!;
    if (label >= classes) throw new Error(`label ${label} at row ${from + r} is not below ${classes}`);
    y[r * classes + label] = 1;
  }
  return { x, y, count };
}

/** Whether Fashion-MNIST's four files are in `dir`. */
export function hasFashionMnist(dir = FASHION_MNIST_DIR): boolean {
  return ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].every((f) => existsSync(join(dir, f)));
}

/**
 * Fashion-MNIST as an engine dataset: the 60,000 training images as the training split, the 10,000 test images split
 * in half as validation and test (file order).
 */
export function loadFashionMnist(dir = FASHION_MNIST_DIR): Dataset {
  const trainImages = readIdx(join(dir, 'train-images-idx3-ubyte.gz'));
  const trainLabels = readIdx(join(dir, 'train-labels-idx1-ubyte.gz'));
  const testImages = readIdx(join(dir, 't10k-images-idx3-ubyte.gz'));
  const testLabels = readIdx(join(dir, 't10k-labels-idx1-ubyte.gz'));
  for (const [images, labels] of [[trainImages, trainLabels], [testImages, testLabels]] as const) {
    if (images.dims.length !== 3 || images.dims[1] !== 28 || images.dims[2] !== 28) throw new Error(`expected 28×28 images, got [${images.dims.join(', ')}]`);
    if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) throw new Error(`${labels.dims[0]} labels for ${images.dims[0]} images`);
  }
  const classes = FASHION_CLASSES.length;
  const half = Math.floor(testImages.dims[0]! / 2);
  return {
    name: 'Fashion-MNIST',
    inputShape: [28, 28, 1],
    numClasses: classes,
    classNames: FASHION_CLASSES,
    train: split(trainImages, trainLabels, 0, trainImages.dims[0]!, classes),
    validation: split(testImages, testLabels, 0, half, classes),
    test: split(testImages, testLabels, half, testImages.dims[0]! - half, classes),
  };
}

/** `data`'s training split repeated (rows in order, wrapping) to `count` rows: the stand-in when Fashion-MNIST is absent. */
export function repeatTrainRows(data: Dataset, count: number): Dataset {
  const features = data.inputShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(count * features);
  const y = new Float32Array(count * data.numClasses);
  for (let r = 0; r < count; r++) {
    const src = r % data.train.count;
    x.set(data.train.x.subarray(src * features, (src + 1) * features), r * features);
    y.set(data.train.y.subarray(src * data.numClasses, (src + 1) * data.numClasses), r * data.numClasses);
  }
  return { ...data, name: `${data.name}, training digits repeated to ${count}`, train: { x, y, count } };
}
