// Prepared datasets: what an import of the user's own files (CSV, image folders) produced, kept as one file
// in the data folder so that training never re-decodes the sources. Layout: the magic `LWDS1\n`, a uint32
// (little-endian) header length, the header as JSON, then float32 rows: x of train, validation and test,
// then y of train, validation and test. The file's sha256 is the dataset's fingerprint; loading checks it.
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

export function encodePrepared(dataset: Dataset): Uint8Array {
  const header: Header = {
    name: dataset.name,
    inputShape: dataset.inputShape,
    numClasses: dataset.numClasses,
    classNames: dataset.classNames,
    counts: { train: dataset.train.count, validation: dataset.validation.count, test: dataset.test.count },
    ...(dataset.vocabulary !== undefined ? { vocabulary: dataset.vocabulary, tokens: dataset.tokens ?? [] } : {}),
  };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  // Pad the header so the float data starts 4-byte aligned.
  const pad = (4 - ((MAGIC.length + 4 + head.byteLength) % 4)) % 4;
  const parts = [...SPLITS.map((s) => dataset[s].x), ...SPLITS.map((s) => dataset[s].y)];
  const dataBytes = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = Buffer.alloc(MAGIC.length + 4 + head.byteLength + pad + dataBytes);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(head.byteLength + pad, MAGIC.length);
  head.copy(out, MAGIC.length + 4);
  out.fill(0x20, MAGIC.length + 4 + head.byteLength, MAGIC.length + 4 + head.byteLength + pad);
  let at = MAGIC.length + 4 + head.byteLength + pad;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
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
  const aligned = new Float32Array((buf.byteLength - start) / 4);
  new Uint8Array(aligned.buffer).set(buf.subarray(start, start + aligned.length * 4));
  let at = 0;
  const take = (n: number) => {
    const part = aligned.subarray(at, at + n);
    at += n;
    return part;
  };
  const xs = SPLITS.map((s) => take(header.counts[s] * features));
  const ys = SPLITS.map((s) => take(header.counts[s] * header.numClasses));
  if (at !== aligned.length) throw new DatasetFileError(`${what} has ${aligned.length * 4} data bytes, expected ${at * 4}`);
  const split = (i: number): Split => ({ x: xs[i]!, y: ys[i]!, count: header.counts[SPLITS[i]!] });
  return {
    name: header.name,
    inputShape: header.inputShape,
    numClasses: header.numClasses,
    classNames: header.classNames,
    ...(header.vocabulary !== undefined ? { vocabulary: header.vocabulary, tokens: header.tokens ?? [] } : {}),
    train: split(0),
    validation: split(1),
    test: split(2),
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
