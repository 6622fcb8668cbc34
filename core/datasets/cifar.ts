// CIFAR-10 and CIFAR-100 binary batches → a Dataset of 32 × 32 RGB images. The binary format: CIFAR-10 records
// are <1 label byte><3,072 pixel bytes>, CIFAR-100 records <1 coarse label><1 fine label><3,072 pixel bytes>;
// the pixels are three 32 × 32 planes (red, green, blue), each row-major. The standard folders:
// cifar-10-batches-bin (data_batch_1.bin … data_batch_5.bin, test_batch.bin, batches.meta.txt) and
// cifar-100-binary (train.bin, test.bin, fine_label_names.txt, coarse_label_names.txt). Class names come from
// those .txt files when present. test_batch.bin / test.bin stays the test split.
import { opendir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PIXEL_FILE_LIMITS } from '../../shared/limits/inputs.js';
import type { Dataset } from '../engine/data/dataset.js';
import { openError } from '../files/read.js';
import { DatasetImportError, defaultDatasetName } from './errors.js';
import { readPixelFile } from './pixel-files.js';
import { buildPixelDataset, checkLabels, checkPixelBudget, readClassNames, type PixelSet } from './pixels.js';

export type CifarVariant = 10 | 100;
export type CifarLabels = 'fine' | 'coarse';

export interface CifarRequest {
  /** A folder in the standard layout, or a training batch file. */
  path: string;
  /** Further training batch files (after `path`). */
  moreTrain?: string[];
  test?: string;
  /** CIFAR-100 only: the 100 fine classes (default) or the 20 coarse superclasses. */
  labels?: CifarLabels;
  /** A class-names file (one per line) instead of the one in the folder. */
  classNames?: string;
  name?: string;
  seed?: number;
  onProgress?(done: number, total: number): void;
}

export interface CifarImport {
  dataset: Dataset;
  note: string;
}

const PIXELS = 32 * 32 * 3;
const recordBytes = (v: CifarVariant) => (v === 10 ? 1 : 2) + PIXELS;
const classesOf = (v: CifarVariant, labels: CifarLabels) => (v === 10 ? 10 : labels === 'fine' ? 100 : 20);
const titleOf = (v: CifarVariant) => `CIFAR-${v}`;
/** The names the CIFAR-10 format defines (its batches.meta.txt), used when that file is absent. */
const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

interface CifarFiles {
  variant: CifarVariant | null;
  train: string[];
  test: string | null;
  /** The names file the folder holds for these labels, if any. */
  names: string | null;
}

const byNumber = (a: string, b: string) => Number(/\d+/.exec(a)?.[0] ?? 0) - Number(/\d+/.exec(b)?.[0] ?? 0);

async function findInFolder(dir: string, shown: string, labels: CifarLabels): Promise<CifarFiles> {
  const names = new Set<string>();
  let handle;
  try {
    handle = await opendir(dir);
  } catch (error) {
    throw new DatasetImportError('unreadable', openError(error, shown).message.replace(/: no such file$/, ': no such file or folder'), { file: shown });
  }
  try {
    for await (const entry of handle) {
      if (names.size >= PIXEL_FILE_LIMITS.maxFolderEntries) {
        throw new DatasetImportError('too_large', `${shown}: more than ${PIXEL_FILE_LIMITS.maxFolderEntries} entries; give the batch files themselves`, { file: shown });
      }
      names.add(entry.name);
    }
  } finally {
    await handle.close().catch(() => {});
  }
  const batches = [...names].filter((n) => /^data_batch_\d+\.bin$/.test(n)).sort(byNumber);
  const ten = batches.length > 0;
  const hundred = names.has('train.bin');
  if (ten && hundred) throw new DatasetImportError('ambiguous', `${shown}: holds both CIFAR-10 batches (data_batch_*.bin) and CIFAR-100's train.bin; give the files of one`, { file: shown });
  if (!ten && !hundred) {
    throw new DatasetImportError('missing_file', `${shown}: no CIFAR batches (CIFAR-10: data_batch_1.bin … data_batch_5.bin and test_batch.bin; CIFAR-100: train.bin and test.bin)`, { file: shown });
  }
  const at = (n: string) => (names.has(n) ? join(dir, n) : null);
  if (ten) return { variant: 10, train: batches.map((b) => join(dir, b)), test: at('test_batch.bin'), names: at('batches.meta.txt') };
  return { variant: 100, train: [join(dir, 'train.bin')], test: at('test.bin'), names: at(`${labels}_label_names.txt`) };
}

/** Which variant a batch file is: by its standard name, else by which record size divides its length. */
function variantOf(shown: string, length: number, named: CifarVariant | null): CifarVariant {
  if (named) return named;
  if (/^(data_batch_\d+|test_batch)\.bin$/.test(shown)) return 10;
  if (/^(train|test)\.bin$/.test(shown)) return 100;
  const fits = ([10, 100] as const).filter((v) => length > 0 && length % recordBytes(v) === 0);
  if (fits.length === 1) return fits[0]!;
  if (fits.length === 2) {
    throw new DatasetImportError('ambiguous', `${shown}: ${length} bytes fit both CIFAR-10 and CIFAR-100 records; name it as the standard files are (data_batch_N.bin or train.bin)`, { file: shown });
  }
  return 10; // neither fits: the record check below says how it is cut off
}

async function readBatch(path: string, variant: CifarVariant | null, labels: CifarLabels): Promise<{ set: PixelSet; variant: CifarVariant }> {
  const file = await readPixelFile(path);
  const { bytes, shown } = file;
  if (bytes.byteLength === 0) throw new DatasetImportError('empty', `${shown}: the file is empty`, { file: shown });
  const v = variantOf(shown, bytes.byteLength, variant);
  const size = recordBytes(v);
  const count = Math.floor(bytes.byteLength / size);
  const over = bytes.byteLength - count * size;
  if (over !== 0) {
    throw new DatasetImportError(
      'truncated',
      `${shown}: ${bytes.byteLength} bytes is not a whole number of ${size}-byte ${titleOf(v)} records (${count} records and ${over} bytes): truncated or not a ${titleOf(v)} batch`,
      { file: shown },
    );
  }
  const labelAt = v === 10 ? 0 : labels === 'coarse' ? 0 : 1;
  const skip = size - PIXELS;
  const pixels = new Uint8Array(count * PIXELS);
  const labelBytes = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labelBytes[i] = bytes[i * size + labelAt]!;
    pixels.set(bytes.subarray(i * size + skip, (i + 1) * size), i * PIXELS);
  }
  const set: PixelSet = { pixels, labels: labelBytes, count, layout: 'chw', from: shown, labelsFile: shown, itemWord: 'record' };
  const classes = classesOf(v, labels);
  checkLabels(set, classes, `${titleOf(v)}${v === 100 ? ` ${labels}` : ''} labels are 0–${classes - 1}`);
  return { set, variant: v };
}

/** Several training batches as one set. */
function concat(sets: PixelSet[]): PixelSet {
  if (sets.length === 1) return sets[0]!;
  const count = sets.reduce((n, s) => n + s.count, 0);
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const s of sets) {
    pixels.set(s.pixels, at * PIXELS);
    labels.set(s.labels, at);
    at += s.count;
  }
  const from = `${sets[0]!.from} … ${sets[sets.length - 1]!.from} (${sets.length} files)`;
  return { ...sets[0]!, pixels, labels, count, from };
}

export async function importCifar(request: CifarRequest): Promise<CifarImport> {
  const labels = request.labels ?? 'fine';
  const shown = basename(request.path) || request.path;
  const isFolder = await stat(request.path).then((s) => s.isDirectory(), () => false);
  if (isFolder && (request.moreTrain?.length || request.test !== undefined)) {
    throw new DatasetImportError('ambiguous', `${shown} is a folder: give either the folder or the batch files, not both`, { file: shown });
  }
  const files: CifarFiles = isFolder
    ? await findInFolder(request.path, shown, labels)
    : { variant: null, train: [request.path, ...(request.moreTrain ?? [])], test: request.test ?? null, names: null };
  const total = files.train.length + (files.test ? 1 : 0);
  let done = 0;
  const trainSets: PixelSet[] = [];
  let variant = files.variant;
  for (const path of files.train) {
    const batch = await readBatch(path, variant, labels);
    if (variant !== null && batch.variant !== variant) {
      throw new DatasetImportError('shape_mismatch', `${batch.set.from}: ${titleOf(batch.variant)} records, but ${trainSets[0]?.from ?? 'the first file'} holds ${titleOf(variant)} records`, { file: batch.set.from });
    }
    variant = batch.variant;
    trainSets.push(batch.set);
    request.onProgress?.(++done, total);
  }
  const v = variant!;
  if (request.labels !== undefined && v === 10) {
    throw new DatasetImportError('bad_target', `${trainSets[0]!.from}: labels "${request.labels}" applies to CIFAR-100 only; this is CIFAR-10 (one label per record)`, { file: trainSets[0]!.from });
  }
  let test: PixelSet | null = null;
  if (files.test) {
    const batch = await readBatch(files.test, v, labels);
    test = batch.set;
    request.onProgress?.(done + 1, total);
  }
  const train = concat(trainSets);
  checkPixelBudget(test ? [train, test] : [train], PIXELS, train.from);

  const classes = classesOf(v, labels);
  const namesPath = request.classNames ?? files.names;
  let classNames: string[];
  let namesNote: string;
  if (namesPath) {
    const names = await readClassNames(namesPath);
    if (names.names.length !== classes) {
      throw new DatasetImportError('bad_class_names', `${names.shown}: ${names.names.length} class names, but ${titleOf(v)}${v === 100 ? ` (${labels} labels)` : ''} has ${classes} classes`, { file: names.shown });
    }
    classNames = names.names;
    namesNote = `class names from ${names.shown}`;
  } else {
    classNames = v === 10 ? [...CIFAR10_NAMES] : Array.from({ length: classes }, (_, i) => String(i));
    namesNote = v === 10 ? "CIFAR-10's class names" : `classes named 0–${classes - 1} (no ${labels}_label_names.txt)`;
  }
  const dataset = buildPixelDataset({
    name: request.name ?? (isFolder ? defaultDatasetName(shown) : `${titleOf(v)}${v === 100 ? ` (${labels})` : ''}`),
    inputShape: [32, 32, 3],
    classNames,
    train,
    test,
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
  });
  const note =
    `${titleOf(v)}${v === 100 ? ` with ${labels} labels` : ''}: ${train.count} training images from ${train.from}` +
    (test ? `, ${test.count} test images from ${test.from}` : '') +
    `; ${classes} classes, ${namesNote}`;
  return { dataset, note };
}
