// IDX files → a Dataset: MNIST, Fashion-MNIST, KMNIST, EMNIST (raw or gzip). Given as a folder holding the
// standard names (`[prefix-]train-images-idx3-ubyte[.gz]`, `…train-labels-idx1-ubyte[.gz]`, and the test pair
// `t10k-…` or `test-…` when shipped), or as files: the training images and labels, and optionally the test
// images and labels. The test pair stays the test split; a seeded validation part comes off the training
// file. Fashion-MNIST is recognised by its content and gets its class names; others take a class-names file.
import { opendir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { KNOWN_DATASETS, recognizeDataset, type KnownDatasetId } from '../../shared/data/known-datasets.js';
import { PIXEL_FILE_LIMITS } from '../../shared/limits/inputs.js';
import type { Dataset } from '../engine/data/dataset.js';
import { openError } from '../files/read.js';
import { DatasetImportError, defaultDatasetName } from './errors.js';
import { idxDeclaredSize, idxHeadBytes, parseIdx, type IdxRole } from './idx-format.js';
import { readPixelFile, type PixelFile } from './pixel-files.js';
import { buildPixelDataset, checkLabels, checkPixelBudget, classesFromLabels, readClassNames, type PixelSet } from './pixels.js';

export interface IdxRequest {
  /** A folder holding the standard file names, or the training images file. */
  path: string;
  /** The training labels file (when `path` is the images file). */
  labels?: string;
  testImages?: string;
  testLabels?: string;
  /** A class-names file: one name per line, in label order. */
  classNames?: string;
  name?: string;
  seed?: number;
  onProgress?(done: number, total: number): void;
}

export interface IdxImport {
  dataset: Dataset;
  known: KnownDatasetId | null;
  note: string;
}

interface IdxFiles {
  trainImages: string;
  trainLabels: string;
  test: { images: string; labels: string } | null;
}

const STANDARD = /^(.*?)(train|t10k|test)[-.](images|labels)[-.]idx([13])[-.]ubyte(\.gz)?$/i;
const EXPECTED = 'train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz] (and the test pair t10k-… or test-…)';

/** Finds the standard IDX names in a folder; refuses a folder with none, with several sets, or with half a pair. */
async function findInFolder(dir: string, shown: string): Promise<IdxFiles> {
  const found = new Map<string, string>();
  let handle;
  try {
    handle = await opendir(dir);
  } catch (error) {
    throw new DatasetImportError('unreadable', openError(error, shown).message.replace(/: no such file$/, ': no such file or folder'), { file: shown });
  }
  let entries = 0;
  try {
    for await (const entry of handle) {
      if (++entries > PIXEL_FILE_LIMITS.maxFolderEntries) {
        throw new DatasetImportError('too_large', `${shown}: more than ${PIXEL_FILE_LIMITS.maxFolderEntries} entries; give the IDX files themselves`, { file: shown });
      }
      const m = STANDARD.exec(entry.name);
      if (!m) continue;
      const [, prefix = '', split = '', what = '', dims] = m;
      if ((what.toLowerCase() === 'images') !== (dims === '3')) continue;
      const key = `${prefix}|${split.toLowerCase() === 'train' ? 'train' : 'test'}|${what.toLowerCase()}`;
      const other = found.get(key);
      if (other) throw new DatasetImportError('ambiguous', `${shown}: holds both ${other} and ${entry.name}; keep one of them`, { file: shown });
      found.set(key, entry.name);
    }
  } finally {
    await handle.close().catch(() => {});
  }
  const prefixes = [...new Set([...found.keys()].map((k) => k.split('|')[0]!))].sort();
  const complete = prefixes.filter((p) => found.has(`${p}|train|images`) && found.has(`${p}|train|labels`));
  if (prefixes.length === 0) throw new DatasetImportError('missing_file', `${shown}: no IDX files with the standard names (${EXPECTED})`, { file: shown });
  if (prefixes.length > 1) {
    const sets = prefixes.map((p) => `"${p || '(none)'}"`).join(', ');
    throw new DatasetImportError('ambiguous', `${shown}: holds several IDX sets (prefixes ${sets}); give the files of one: layerwise dataset add idx IMAGES LABELS [TEST_IMAGES TEST_LABELS]`, { file: shown });
  }
  const p = prefixes[0]!;
  if (complete.length === 0) {
    const missing = found.has(`${p}|train|images`) ? `${p}train-labels-idx1-ubyte[.gz]` : `${p}train-images-idx3-ubyte[.gz]`;
    throw new DatasetImportError('missing_file', `${shown}: no ${missing} beside the other IDX files`, { file: shown });
  }
  const testImages = found.get(`${p}|test|images`);
  const testLabels = found.get(`${p}|test|labels`);
  if ((testImages === undefined) !== (testLabels === undefined)) {
    const have = testImages ?? testLabels!;
    throw new DatasetImportError('missing_file', `${shown}: ${have} has no ${testImages ? 'labels' : 'images'} file beside it (${testImages ? 'labels-idx1' : 'images-idx3'} with the same prefix)`, { file: shown });
  }
  return {
    trainImages: join(dir, found.get(`${p}|train|images`)!),
    trainLabels: join(dir, found.get(`${p}|train|labels`)!),
    test: testImages && testLabels ? { images: join(dir, testImages), labels: join(dir, testLabels) } : null,
  };
}

async function filesOf(request: IdxRequest): Promise<IdxFiles> {
  const shown = basename(request.path) || request.path;
  const isFolder = await stat(request.path).then((s) => s.isDirectory(), () => false);
  if (isFolder) {
    const extra = request.labels ?? request.testImages ?? request.testLabels;
    if (extra !== undefined) throw new DatasetImportError('ambiguous', `${shown} is a folder: give either the folder or the files, not both (also given: ${basename(extra)})`, { file: shown });
    return findInFolder(request.path, shown);
  }
  if (request.labels === undefined) {
    throw new DatasetImportError('missing_file', `${shown}: IDX images need their labels file too: give the images and labels files (then the test pair), or the folder holding them`, { file: shown });
  }
  if ((request.testImages === undefined) !== (request.testLabels === undefined)) {
    throw new DatasetImportError('missing_file', `${basename((request.testImages ?? request.testLabels)!)}: test ${request.testImages ? 'images need their labels' : 'labels need their images'} file too`, { file: basename((request.testImages ?? request.testLabels)!) });
  }
  return {
    trainImages: request.path,
    trainLabels: request.labels,
    test: request.testImages && request.testLabels ? { images: request.testImages, labels: request.testLabels } : null,
  };
}

async function readIdx(path: string, role: IdxRole) {
  const file: PixelFile = await readPixelFile(path, { declaredSize: idxDeclaredSize(role, basename(path)), headBytes: idxHeadBytes(role) });
  return { file, ...parseIdx(file.bytes, file.shown, role) };
}

/** Images and labels of one split, checked against each other. */
async function readPair(imagesPath: string, labelsPath: string, onFile: () => void): Promise<{ set: PixelSet; images: PixelFile; labels: PixelFile; side: [number, number] }> {
  const images = await readIdx(imagesPath, 'images');
  onFile();
  const labels = await readIdx(labelsPath, 'labels');
  onFile();
  const [count, rows, cols] = images.header.dims as [number, number, number];
  if (labels.header.dims[0] !== count) {
    throw new DatasetImportError('count_mismatch', `${labels.file.shown} has ${labels.header.dims[0]} labels but ${images.file.shown} has ${count} images`, { file: labels.file.shown });
  }
  return {
    set: { pixels: images.data, labels: labels.data, count, layout: 'hwc', from: images.file.shown, labelsFile: labels.file.shown, itemWord: 'item' },
    images: images.file,
    labels: labels.file,
    side: [rows, cols],
  };
}

export async function importIdx(request: IdxRequest): Promise<IdxImport> {
  const files = await filesOf(request);
  const total = files.test ? 4 : 2;
  let done = 0;
  const onFile = () => request.onProgress?.(++done, total);
  const train = await readPair(files.trainImages, files.trainLabels, onFile);
  const test = files.test ? await readPair(files.test.images, files.test.labels, onFile) : null;
  const [rows, cols] = train.side;
  if (test && (test.side[0] !== rows || test.side[1] !== cols)) {
    throw new DatasetImportError('shape_mismatch', `${test.images.shown}: images of ${test.side[0]} × ${test.side[1]} but the training images (${train.images.shown}) are ${rows} × ${cols}`, { file: test.images.shown });
  }
  const sets = test ? [train.set, test.set] : [train.set];
  checkPixelBudget(sets, rows * cols, train.images.shown);

  const known = test
    ? recognizeDataset({ trainImages: train.images.sha256, trainLabels: train.labels.sha256, testImages: test.images.sha256, testLabels: test.labels.sha256 })
    : null;
  let classNames: string[];
  let namesNote: string;
  if (request.classNames !== undefined) {
    const { names, shown } = await readClassNames(request.classNames);
    for (const set of sets) checkLabels(set, names.length, `${shown} names ${names.length} classes (labels 0–${names.length - 1})`);
    classNames = names;
    namesNote = `class names from ${shown}`;
  } else {
    const classes = classesFromLabels([train.set]);
    if (test) checkLabels(test.set, classes, `the training labels (${train.labels.shown}) go up to ${classes - 1}`);
    classNames = known ? [...KNOWN_DATASETS[known].classNames] : Array.from({ length: classes }, (_, i) => String(i));
    namesNote = known ? `${KNOWN_DATASETS[known].title} recognised: its class names` : `classes named 0–${classes - 1} (give a class-names file to name them)`;
  }
  if (classNames.length < 2) {
    throw new DatasetImportError('one_class', `${train.labels.shown}: every label is 0; a classifier needs at least two classes`, { file: train.labels.shown });
  }
  const folderName = files.trainImages === request.path ? basename(request.path).replace(/(\.gz)?$/i, '') : basename(request.path);
  const dataset = buildPixelDataset({
    name: request.name ?? (known ? KNOWN_DATASETS[known].title : defaultDatasetName(folderName || 'idx')),
    inputShape: [rows, cols, 1],
    classNames,
    train: train.set,
    test: test?.set ?? null,
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
  });
  const gz = (f: PixelFile) => (f.gzip ? ' (gzip)' : '');
  const seen = new Uint8Array(classNames.length);
  for (const set of sets) for (let i = 0; i < set.count; i++) seen[set.labels[i]!] = 1;
  const empty = classNames.flatMap((_, c) => (seen[c] ? [] : [c]));
  const note =
    `${train.set.count} training images of ${rows} × ${cols} from ${train.images.shown}${gz(train.images)}` +
    (test ? `, ${test.set.count} test images from ${test.images.shown}${gz(test.images)}` : '') +
    `; ${classNames.length} classes, ${namesNote}` +
    (empty.length ? `; no images of class ${empty.slice(0, 5).join(', ')}${empty.length > 5 ? ', …' : ''}` : '');
  return { dataset, known, note };
}
