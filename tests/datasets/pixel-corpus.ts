// Writes the IDX and CIFAR inputs of tests/corpus/datasets.json (see its `about`) in the formats' real byte
// layouts, and the CIFAR batches the pixel-format tests train on.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface IdxFileSpec {
  idx: 'images' | 'labels';
  dims: number[];
  type?: number;
  /** Labels are i mod `labels` (default 3). */
  labels?: number;
  set?: Record<string, number>;
  noData?: boolean;
  extra?: number;
  gzip?: boolean;
  cut?: number;
}

export interface CifarFileSpec {
  cifar: 10 | 100;
  records: number;
  set?: Record<string, number>;
  setFine?: Record<string, number>;
  setCoarse?: Record<string, number>;
  cut?: number;
}

export type FileSpec = IdxFileSpec | CifarFileSpec | { text: string } | { html: true } | { bytes: string } | { fifo: true };

export interface PixelCorpusRow {
  name: string;
  kind: 'idx' | 'cifar';
  files: Record<string, FileSpec>;
  paths?: string[];
  flags?: { classes?: string; labels?: 'fine' | 'coarse' };
  error: { code: string; message: string };
}

/** An IDX file: the magic (two zeros, type, dimension count), big-endian dims, then the values. */
export function idxBytes(spec: IdxFileSpec): Buffer {
  const head = Buffer.alloc(4 + 4 * spec.dims.length);
  head[2] = spec.type ?? 0x08;
  head[3] = spec.dims.length;
  spec.dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  let data: Buffer;
  if (spec.noData) data = Buffer.alloc(0);
  else if (spec.idx === 'images') data = Buffer.from(Array.from({ length: spec.dims.reduce((a, b) => a * b, 1) }, (_, i) => (i * 37) % 256));
  else {
    data = Buffer.from(Array.from({ length: spec.dims[0]! }, (_, i) => i % (spec.labels ?? 3)));
    for (const [at, v] of Object.entries(spec.set ?? {})) data[Number(at)] = v;
  }
  let bytes = Buffer.concat([head, data, Buffer.alloc(spec.extra ?? 0)]);
  if (spec.gzip) bytes = gzipSync(bytes);
  return spec.cut ? bytes.subarray(0, bytes.byteLength - spec.cut) : bytes;
}

/** A CIFAR binary batch: per record the label byte(s) (CIFAR-100: coarse, then fine), then the R, G and B planes. */
export function cifarBytes(spec: CifarFileSpec, pixel: (record: number, p: number) => number = (i, p) => (i * 7 + p) % 256): Buffer {
  const head = spec.cifar === 10 ? 1 : 2;
  const size = head + 3072;
  const out = Buffer.alloc(spec.records * size);
  for (let i = 0; i < spec.records; i++) {
    if (spec.cifar === 10) out[i * size] = spec.set?.[i] ?? i % 10;
    else {
      out[i * size] = spec.setCoarse?.[i] ?? i % 20;
      out[i * size + 1] = spec.setFine?.[i] ?? i % 100;
    }
    for (let p = 0; p < 3072; p++) out[i * size + head + p] = pixel(i, p);
  }
  return spec.cut ? out.subarray(0, out.byteLength - spec.cut) : out;
}

const HTML = '<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>\n';

export function writeSpec(path: string, spec: FileSpec): void {
  mkdirSync(dirname(path), { recursive: true });
  if ('fifo' in spec) execFileSync('mkfifo', [path]);
  else if ('text' in spec) writeFileSync(path, spec.text);
  else if ('html' in spec) writeFileSync(path, HTML);
  else if ('bytes' in spec) writeFileSync(path, Buffer.from(spec.bytes.replace(/\s+/g, ''), 'hex'));
  else if ('idx' in spec) writeFileSync(path, idxBytes(spec));
  else writeFileSync(path, cifarBytes(spec));
}

/** Writes the row's files under `<dir>/data` and returns the paths to import (the folder, or the row's files). */
export function writeRow(row: PixelCorpusRow, dir: string): { folder: string; paths: string[] } {
  const folder = join(dir, 'data');
  mkdirSync(folder, { recursive: true });
  for (const [name, spec] of Object.entries(row.files)) writeSpec(join(folder, name), spec);
  const paths = (row.paths ?? []).map((p) => (isAbsolute(p) ? p : join(folder, p)));
  return { folder, paths: paths.length ? paths : [folder] };
}

export const needsLinux = (row: PixelCorpusRow) => (row.paths ?? []).some((p) => p.startsWith('/dev/')) || Object.values(row.files).some((f) => 'fifo' in f);
