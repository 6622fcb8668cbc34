// What the IDX and CIFAR importers share: labelled byte images → a Dataset (raw 0–255 values, as the MNIST
// digits and image folders are, so the input-scaling tricks apply), with the splits the formats come with
// honoured: a test file shipped with the data is the test split, in its own order, and a seeded validation
// part is drawn from the training file; without a test file, the usual seeded 80/10/10 split. And class-name
// files (one name per line, in label order), checked line by line.
import { basename } from 'node:path';
import { CLASS_LIMITS, CSV_LIMITS, NAME_MAX_CHARS, PIXEL_FILE_LIMITS } from '../../shared/limits/inputs.js';
import { unsafeCharProblem } from '../../shared/text/safe-text.js';
import { SPLIT_SEED, type Dataset, type Split } from '../engine/data/dataset.js';
import { createRng, permutation } from '../engine/data/rng.js';
import { readFileLimited } from '../files/read.js';
import { DatasetImportError, fromInputFileError } from './errors.js';

/** Labelled images from one file (or a file pair), as bytes. */
export interface PixelSet {
  /** count × features bytes, each image laid out as `layout` says. */
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
  /** `hwc`: rows, columns, channels (IDX); `chw`: one plane per channel (CIFAR). */
  layout: 'hwc' | 'chw';
  /** How notes name where the images came from, e.g. `train-images-idx3-ubyte.gz`. */
  from: string;
  /** The file the labels came from, and how an item is called there (`item`, `record`). */
  labelsFile: string;
  itemWord: string;
}

export interface PixelDatasetRequest {
  name: string;
  /** [height, width, channels]. */
  inputShape: [number, number, number];
  classNames: string[];
  train: PixelSet;
  test: PixelSet | null;
  seed?: number;
}

/** Refuses a label that is not a class: `train-labels-idx1-ubyte.gz: item 17 has label 12, …`. */
export function checkLabels(set: PixelSet, classes: number, why: string): void {
  for (let i = 0; i < set.count; i++) {
    const label = set.labels[i]!;
    if (label >= classes) {
      throw new DatasetImportError('label_out_of_range', `${set.labelsFile}: ${set.itemWord} ${i + 1} has label ${label}, out of range: ${why}`, { file: set.labelsFile, row: i + 1 });
    }
  }
}

/** The largest label in the sets, + 1. */
export function classesFromLabels(sets: readonly PixelSet[]): number {
  let max = 0;
  for (const set of sets) for (let i = 0; i < set.count; i++) if (set.labels[i]! > max) max = set.labels[i]!;
  return max + 1;
}

/** Refuses more pixel values than the engine may hold (PIXEL_FILE_LIMITS.maxValues). */
export function checkPixelBudget(sets: readonly PixelSet[], features: number, shown: string): void {
  const images = sets.reduce((n, s) => n + s.count, 0);
  if (images * features > PIXEL_FILE_LIMITS.maxValues) {
    throw new DatasetImportError(
      'too_large',
      `${shown}: ${images} images of ${features} values are ${images * features} pixel values, over the limit of ${PIXEL_FILE_LIMITS.maxValues} (they train as float32: 1 GiB); import a subset`,
      { file: shown },
    );
  }
}

export function buildPixelDataset(request: PixelDatasetRequest): Dataset {
  const [h, w, c] = request.inputShape;
  const features = h * w * c;
  const classes = request.classNames.length;
  const { train, test } = request;
  const minRows = CSV_LIMITS.minRows;
  if (train.count < minRows) {
    throw new DatasetImportError('too_few_rows', `${train.from}: ${train.count} images; at least ${minRows} are needed to split off a validation set`, { file: train.from });
  }
  const order = permutation(train.count, createRng(request.seed ?? SPLIT_SEED));
  const take = (set: PixelSet, rows: ArrayLike<number>): Split => {
    const n = rows.length;
    const x = new Float32Array(n * features);
    const y = new Float32Array(n * classes);
    const plane = h * w;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const src = set.pixels.subarray(row * features, (row + 1) * features);
      const at = i * features;
      if (set.layout === 'hwc' || c === 1) for (let p = 0; p < features; p++) x[at + p] = src[p]!;
      else for (let p = 0; p < plane; p++) for (let ch = 0; ch < c; ch++) x[at + p * c + ch] = src[ch * plane + p]!;
      y[i * classes + set.labels[row]!] = 1;
    }
    return { x, y, count: n };
  };
  const inOrder = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);
  const base = { name: request.name, inputShape: [h, w, c], numClasses: classes, classNames: [...request.classNames] };
  if (test) {
    const nVal = Math.max(1, Math.round(train.count * PIXEL_FILE_LIMITS.validationFraction));
    const nTrain = train.count - nVal;
    return {
      ...base,
      train: take(train, order.subarray(0, nTrain)),
      validation: take(train, order.subarray(nTrain)),
      test: take(test, inOrder(test.count)),
      splitNote:
        `test: the ${test.count} images of ${test.from}, as shipped; validation: ${nVal} of the ${train.count} images of ${train.from} ` +
        `(${Math.round(PIXEL_FILE_LIMITS.validationFraction * 100)}%, drawn at random with a fixed seed); train: the other ${nTrain}`,
    };
  }
  const nVal = Math.max(1, Math.round(train.count * 0.1));
  const nTrain = train.count - 2 * nVal;
  return {
    ...base,
    train: take(train, order.subarray(0, nTrain)),
    validation: take(train, order.subarray(nTrain, nTrain + nVal)),
    test: take(train, order.subarray(nTrain + nVal)),
    splitNote: `no test file given: train, validation and test (${nTrain}/${nVal}/${nVal}) drawn at random with a fixed seed from the ${train.count} images of ${train.from}`,
  };
}

/**
 * A class-names file: UTF-8 text, one name per line in label order (trailing blank lines and surrounding
 * spaces ignored; CIFAR's batches.meta.txt and *_label_names.txt are such files).
 */
export async function readClassNames(path: string): Promise<{ names: string[]; shown: string }> {
  const shown = basename(path);
  let bytes: Buffer;
  try {
    bytes = await readFileLimited(path, { maxBytes: PIXEL_FILE_LIMITS.maxClassNamesBytes, shown });
  } catch (error) {
    throw fromInputFileError(error);
  }
  const refuse = (why: string, line?: number) => new DatasetImportError('bad_class_names', `${shown}: ${why}`, { file: shown, ...(line ? { row: line } : {}) });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw refuse('not UTF-8 text (a class-names file holds one name per line)');
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw refuse('no class names (one name per line, in label order)');
  if (lines.length > CLASS_LIMITS.maxClasses) throw refuse(`${lines.length} class names, over the limit of ${CLASS_LIMITS.maxClasses}`);
  const seen = new Map<string, number>();
  for (const [i, name] of lines.entries()) {
    const line = i + 1;
    if (name === '') throw refuse(`line ${line} is empty; one class name per line, in label order`, line);
    if (name.length > NAME_MAX_CHARS) throw refuse(`line ${line} is ${name.length} characters long, over the limit of ${NAME_MAX_CHARS}`, line);
    const unsafe = unsafeCharProblem(name);
    if (unsafe) throw refuse(`line ${line}: ${unsafe}`, line);
    const first = seen.get(name);
    if (first !== undefined) throw refuse(`line ${line} repeats the class name ${JSON.stringify(name)} of line ${first}`, line);
    seen.set(name, line);
  }
  return { names: lines, shown };
}
