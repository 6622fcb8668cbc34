// Prepared datasets: what an import of the user's own files (CSV, image folders, IDX, CIFAR) produced, kept as
// one file in the data folder so that training never re-decodes the sources. Layout: the magic `LWDS1\n`, a
// uint32 (little-endian) header length, the header as JSON, then the rows: x of train, validation and test,
// then y (float32, one-hot) of train, validation and test. x is float32, or (header `xType: "uint8"`, the
// pixel formats) one byte per value, padded to 4 bytes: a quarter of the size for 0–255 pixels. The file's
// sha256 is the dataset's fingerprint; loading checks it.
import { createHash } from 'node:crypto';
import { PREPARED_DATASET_MAX_BYTES, type FileDatasetRef } from '../../../shared/index.js';
import { InputFileError, readFileLimitedSync } from '../../files/read.js';
import { featureSize, type Dataset, type Split } from './dataset.js';

const MAGIC = 'LWDS1\n';

interface Header {
  name: string;
  inputShape: number[];
  numClasses: number;
  classNames: string[];
  counts: { train: number; validation: number; test: number };
  /** Absent: float32. */
  xType?: 'uint8';
  splitNote?: string;
  vocabulary?: number;
  tokens?: string[];
}

export class DatasetFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetFileError';
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const SPLITS = ['train', 'validation', 'test'] as const;
const pad4 = (n: number) => (4 - (n % 4)) % 4;

/**
 * The prepared file's bytes. `pixels`: x holds only integers 0–255 (checked) and is stored one byte per value.
 * CSV and image-folder imports keep float32, so their fingerprints stay what they were.
 */
export function encodePrepared(dataset: Dataset, options: { pixels?: boolean } = {}): Uint8Array {
  const header: Header = {
    name: dataset.name,
    inputShape: dataset.inputShape,
    numClasses: dataset.numClasses,
    classNames: dataset.classNames,
    counts: { train: dataset.train.count, validation: dataset.validation.count, test: dataset.test.count },
    ...(options.pixels ? { xType: 'uint8' as const } : {}),
    ...(dataset.splitNote ? { splitNote: dataset.splitNote } : {}),
    ...(dataset.vocabulary !== undefined ? { vocabulary: dataset.vocabulary, tokens: dataset.tokens ?? [] } : {}),
  };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  // Pad the header so the data starts 4-byte aligned.
  const pad = pad4(MAGIC.length + 4 + head.byteLength);
  const xs = SPLITS.map((s) => (options.pixels ? toBytes(dataset[s].x) : asBytes(dataset[s].x)));
  const xBytes = xs.reduce((n, p) => n + p.byteLength, 0);
  const ys = SPLITS.map((s) => asBytes(dataset[s].y));
  const yBytes = ys.reduce((n, p) => n + p.byteLength, 0);
  const out = Buffer.alloc(MAGIC.length + 4 + head.byteLength + pad + xBytes + pad4(xBytes) + yBytes);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(head.byteLength + pad, MAGIC.length);
  head.copy(out, MAGIC.length + 4);
  out.fill(0x20, MAGIC.length + 4 + head.byteLength, MAGIC.length + 4 + head.byteLength + pad);
  let at = MAGIC.length + 4 + head.byteLength + pad;
  for (const p of xs) {
    out.set(p, at);
    at += p.byteLength;
  }
  at += pad4(xBytes);
  for (const p of ys) {
    out.set(p, at);
    at += p.byteLength;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

const asBytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function toBytes(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!(v >= 0 && v <= 255 && Number.isInteger(v))) throw new RangeError(`a pixel dataset holds ${v} at ${i}: only integers 0–255 can be stored as bytes`);
    out[i] = v;
  }
  return out;
}

export function decodePrepared(bytes: Uint8Array, what: string): Dataset {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.byteLength < MAGIC.length + 4 || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new DatasetFileError(`${what} is not a prepared Layerwise dataset`);
  const headLength = buf.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4 + headLength;
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, start)) as Header;
  } catch {
    throw new DatasetFileError(`${what} has a damaged header`);
  }
  const features = featureSize(header);
  const rows = SPLITS.map((s) => header.counts[s]);
  const xValues = rows.reduce((n, r) => n + r * features, 0);
  const yValues = rows.reduce((n, r) => n + r * header.numClasses, 0);
  const bytesPerX = header.xType === 'uint8' ? 1 : 4;
  const xBytes = xValues * bytesPerX;
  const expected = start + xBytes + pad4(xBytes) + yValues * 4;
  if (buf.byteLength !== expected) throw new DatasetFileError(`${what} has ${buf.byteLength - start} data bytes, expected ${expected - start}`);
  // Copies into fresh arrays: the file's bytes need not be aligned, and the split arrays are kept.
  const x = new Float32Array(xValues);
  if (bytesPerX === 1) x.set(buf.subarray(start, start + xBytes));
  else new Uint8Array(x.buffer).set(buf.subarray(start, start + xBytes));
  const y = new Float32Array(yValues);
  const yStart = start + xBytes + pad4(xBytes);
  new Uint8Array(y.buffer).set(buf.subarray(yStart, yStart + yValues * 4));
  let xAt = 0;
  let yAt = 0;
  const split = (i: number): Split => {
    const count = rows[i]!;
    const part = { x: x.subarray(xAt, xAt + count * features), y: y.subarray(yAt, yAt + count * header.numClasses), count };
    xAt += count * features;
    yAt += count * header.numClasses;
    return part;
  };
  return {
    name: header.name,
    inputShape: header.inputShape,
    numClasses: header.numClasses,
    classNames: header.classNames,
    ...(header.vocabulary !== undefined ? { vocabulary: header.vocabulary, tokens: header.tokens ?? [] } : {}),
    train: split(0),
    validation: split(1),
    test: split(2),
    ...(header.splitNote ? { splitNote: header.splitNote } : {}),
  };
}

const cache = new Map<string, Dataset>();

/** Loads a registered CSV or image dataset from its prepared file, checking the fingerprint. */
export function loadPrepared(ref: FileDatasetRef): Dataset {
  const hit = cache.get(ref.fingerprint);
  if (hit) return hit;
  let bytes: Uint8Array;
  try {
    // Counted and capped like every file read (core/files): the path comes from a stored ref, not from stat().
    bytes = readFileLimitedSync(ref.file, { maxBytes: PREPARED_DATASET_MAX_BYTES });
  } catch (error) {
    const why = error instanceof InputFileError ? error.message : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    throw new DatasetFileError(`the data of dataset "${ref.name}" is missing or unreadable: cannot read ${ref.file} (${why}); import it again`);
  }
  const actual = sha256Hex(bytes);
  if (actual !== ref.fingerprint) {
    throw new DatasetFileError(`the data of dataset "${ref.name}" changed: ${ref.file} has sha256 ${actual}, registered ${ref.fingerprint}; import it again`);
  }
  const dataset = decodePrepared(bytes, ref.file);
  if (cache.size >= 4) cache.delete(cache.keys().next().value!);
  cache.set(ref.fingerprint, dataset);
  return dataset;
}
