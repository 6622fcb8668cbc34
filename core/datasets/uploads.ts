// Files the user uploads through the browser (a CSV file, an image folder as its files or as one .zip, or a folder of
// IDX files or CIFAR batches), kept in
// `<data folder>/uploads/<id>/` until `datasets.importUpload` hands them to the same importers as a path on the host
// (./import.ts), then removed. The browser host streams each file here (core/host/browser-host.ts); this module owns
// what is allowed: the upload's declared size and file count, each file's cap by kind, safe relative paths, bytes
// counted as they arrive (never taken from Content-Length), and zips inflated by the bounded reader bundles use.
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync, type WriteStream } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { UploadKind, UploadTicket } from '../../shared/api/entities.js';
import { SERIES_IMPORT_FIELDS, TEXT_IMPORT_FIELDS } from '../../shared/data/sequence-import.js';
import { PIXEL_FILE_LIMITS, UPLOAD_LIMITS } from '../../shared/limits/inputs.js';
import { unsafeCharProblem } from '../../shared/text/safe-text.js';
import { readFileLimited } from '../files/read.js';
import { inflateEntries, readCentralDirectory, type ZipLimits, type ZipPolicy } from '../store/bundle-zip.js';
import { DatasetImportError, fromInputFileError } from './errors.js';
import { fileKindOf, importDatasetFile, type DatasetFileImport, type DatasetFileRequest } from './import.js';

export type { UploadKind };

/** IDX files and CIFAR batches: a folder in the standard layout, a handful of big files. */
const isPixelKind = (kind: UploadKind): kind is 'idx' | 'cifar' => kind === 'idx' || kind === 'cifar';
const WHAT: Record<UploadKind, string> = { csv: 'a CSV upload', images: 'an image folder', idx: 'a folder of IDX files', cifar: 'a folder of CIFAR batches' };

export type UploadProblem = 'not_found' | 'invalid' | 'too_large' | 'conflict';

export class UploadError extends Error {
  constructor(
    readonly code: UploadProblem,
    message: string,
    /** The input field the problem is about, for the API's error. */
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

export type { UploadTicket };

/** A file being received: feed it the body's chunks as they arrive. */
export interface FileSink {
  /** Counts and writes a chunk; an error once the file or the upload passes its cap (nothing more is written). */
  write(chunk: Buffer): UploadError | null;
  /** The write stream, for backpressure (`write` returning false: wait for its 'drain'). */
  readonly stream: WriteStream;
  /** The body ended: the file is complete. */
  finish(): Promise<{ path: string; bytes: number }>;
  /** The body broke off or was refused: the file is removed and the upload cannot be imported. */
  abort(reason: string): void;
}

interface Upload {
  id: string;
  kind: UploadKind;
  dir: string;
  createdAt: number;
  declaredFiles: number;
  declaredBytes: number;
  bytes: number;
  files: Map<string, number>;
  writing: number;
  failed: string | null;
  importing: boolean;
}

const ID = /^[0-9a-f]{32}$/;
const MiB = 1024 * 1024;

/** Why a relative path inside an upload (or a zip) is refused, or null: plain names, no climbing out, not too deep. */
export function uploadPathProblem(path: string, maxDepth: number = UPLOAD_LIMITS.maxDepth): string | null {
  if (path.length === 0) return 'must not be empty';
  if (path.length > UPLOAD_LIMITS.maxPathChars) return `must be at most ${UPLOAD_LIMITS.maxPathChars} characters`;
  if (path.includes('\\') || path.includes('\0')) return 'must use / between folders and hold no backslash or NUL';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'must be relative (inside the upload)';
  const parts = path.split('/');
  if (parts.length > maxDepth) return `must be at most ${maxDepth} levels deep (folder/class/image)`;
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') return 'must not hold empty, "." or ".." parts';
    if (part.length > 255) return 'must have parts of at most 255 characters';
    const unsafe = unsafeCharProblem(part);
    if (unsafe) return unsafe;
  }
  return null;
}

function bytesText(n: number): string {
  return n >= MiB ? `${(n / MiB).toFixed(n % MiB ? 1 : 0)} MiB` : `${n} bytes`;
}

export class UploadArea {
  private readonly uploads = new Map<string, Upload>();

  /** `root` is `<data folder>/uploads`: what a previous launch left there is removed. */
  constructor(
    private readonly root: string,
    private readonly now: () => number = Date.now,
  ) {
    try {
      for (const entry of readdirSync(root)) rmSync(join(root, entry), { recursive: true, force: true });
    } catch {
      // No folder yet.
    }
  }

  /** Opens an upload of `files` files of `bytes` bytes in all (what the page is about to send), checked against the caps. */
  begin(input: { kind: UploadKind; files: number; bytes: number }): UploadTicket {
    this.sweep();
    const open = [...this.uploads.values()].filter((u) => !u.importing).length;
    if (open >= UPLOAD_LIMITS.maxOpen) throw new UploadError('conflict', `${open} uploads are open already (at most ${UPLOAD_LIMITS.maxOpen}): finish or wait for them`);
    const maxFiles = input.kind === 'csv' ? 1 : isPixelKind(input.kind) ? PIXEL_FILE_LIMITS.maxFolderEntries : UPLOAD_LIMITS.maxFiles;
    if (input.files > maxFiles) throw new UploadError('too_large', `files must be at most ${maxFiles} for ${WHAT[input.kind]} (got ${input.files})`, 'files');
    const maxTotal = input.kind === 'csv' ? UPLOAD_LIMITS.csvBytes : UPLOAD_LIMITS.totalBytes;
    if (input.bytes > maxTotal) throw new UploadError('too_large', `bytes must be at most ${maxTotal} (${bytesText(maxTotal)}) for ${input.kind === 'csv' ? 'a CSV file' : WHAT[input.kind]} (got ${input.bytes})`, 'bytes');
    const id = randomBytes(16).toString('hex');
    const dir = join(this.root, id);
    mkdirSync(join(dir, 'files'), { recursive: true });
    this.uploads.set(id, {
      id,
      kind: input.kind,
      dir,
      createdAt: this.now(),
      declaredFiles: input.files,
      declaredBytes: input.bytes,
      bytes: 0,
      files: new Map(),
      writing: 0,
      failed: null,
      importing: false,
    });
    return {
      uploadId: id,
      kind: input.kind,
      path: `/api/upload/${id}`,
      maxFiles: input.files,
      maxFileBytes: this.fileCap(input.kind, ''),
      maxTotalBytes: input.bytes,
    };
  }

  /** The cap of one file of an upload (its kind; a .zip as the one file of an image upload). */
  fileCap(kind: UploadKind, path: string): number {
    if (kind === 'csv') return UPLOAD_LIMITS.csvBytes;
    if (isPixelKind(kind)) return Math.min(PIXEL_FILE_LIMITS.maxFileBytes, UPLOAD_LIMITS.totalBytes);
    return /\.zip$/i.test(path) ? UPLOAD_LIMITS.zipBytes : UPLOAD_LIMITS.imageBytes;
  }

  private get(id: string): Upload {
    const upload = ID.test(id) ? this.uploads.get(id) : undefined;
    if (!upload) throw new UploadError('not_found', `upload ${JSON.stringify(id.slice(0, 40))} is not open (it was imported, expired after ${UPLOAD_LIMITS.expireMs / 60_000} minutes, or never begun)`, 'uploadId');
    return upload;
  }

  /**
   * Starts receiving one file. `declared` is the request's Content-Length when it gave one: refused at once when it
   * is over the caps, but never trusted: what arrives is counted.
   */
  open(id: string, path: string, declared?: number): FileSink {
    const upload = this.get(id);
    if (upload.importing) throw new UploadError('conflict', `upload ${id} is being imported: it takes no more files`);
    if (upload.failed) throw new UploadError('conflict', `upload ${id} failed (${upload.failed}): begin a new one`);
    const problem = uploadPathProblem(path, upload.kind === 'csv' ? 1 : UPLOAD_LIMITS.maxDepth);
    if (problem) throw new UploadError('invalid', `path ${problem} (got ${JSON.stringify(path.slice(0, 200))})`, 'path');
    if (upload.files.has(path)) throw new UploadError('conflict', `path ${JSON.stringify(path)} was uploaded already`, 'path');
    if (upload.files.size >= upload.declaredFiles) throw new UploadError('too_large', `upload ${id} declared ${upload.declaredFiles} file(s); ${JSON.stringify(path)} would be one more`, 'path');
    if (upload.kind === 'images' && /\.zip$/i.test(path) && upload.declaredFiles !== 1) {
      throw new UploadError('invalid', 'a .zip of an image folder must be the only file of its upload', 'path');
    }
    const cap = Math.min(this.fileCap(upload.kind, path), upload.declaredBytes - upload.bytes);
    if (declared !== undefined && declared > cap) {
      throw new UploadError('too_large', `${path} is ${declared} bytes; at most ${cap} (${bytesText(cap)}) may still arrive in this upload`, 'path');
    }
    const file = join(upload.dir, 'files', ...path.split('/'));
    mkdirSync(dirname(file), { recursive: true });
    upload.files.set(path, 0);
    upload.writing++;
    const stream = createWriteStream(file, { flags: 'wx' });
    stream.on('error', () => {});
    let received = 0;
    let done = false;
    const close = () => {
      if (done) return;
      done = true;
      upload.writing--;
    };
    const sink: FileSink = {
      stream,
      write: (chunk) => {
        if (done) return new UploadError('conflict', `${path}: the file is closed`);
        received += chunk.length;
        upload.bytes += chunk.length;
        if (received > cap || upload.bytes > upload.declaredBytes) {
          const error =
            upload.bytes > upload.declaredBytes
              ? new UploadError('too_large', `upload ${id}: more than the ${upload.declaredBytes} bytes it declared arrived (at ${path})`, 'path')
              : new UploadError('too_large', `${path}: over the limit of ${cap} bytes (${bytesText(cap)}) once received${declared !== undefined ? ` (its Content-Length said ${declared})` : ''}`, 'path');
          sink.abort(error.message);
          return error;
        }
        upload.files.set(path, received);
        stream.write(chunk);
        return null;
      },
      finish: () =>
        new Promise((resolve, reject) => {
          if (done) return reject(new UploadError('conflict', `${path}: the upload of this file failed`));
          stream.end(() => {
            close();
            resolve({ path, bytes: received });
          });
        }),
      abort: (reason) => {
        if (done) return;
        close();
        upload.failed = reason;
        // The stream opens its file asynchronously: destroyed before that, it still creates the file, so the
        // file is removed again once the stream has closed.
        stream.once('close', () => rmSync(file, { force: true }));
        stream.destroy();
        rmSync(file, { force: true });
      },
    };
    return sink;
  }

  /** Removes an upload and its files (the page gave up, or it was imported). */
  discard(id: string): void {
    const upload = this.uploads.get(id);
    if (!upload) return;
    this.uploads.delete(id);
    rmSync(upload.dir, { recursive: true, force: true });
  }

  /**
   * Imports a complete upload with the importers of ./import.ts (errors name the uploaded file, row or image), then
   * removes it whatever happened: a refused upload is sent again.
   */
  async import(id: string, request: DistributiveOmit<DatasetFileRequest, 'path'>, onProgress?: (done: number, total: number) => void): Promise<DatasetFileImport & { files: number; bytes: number }> {
    const upload = this.get(id);
    if (upload.importing) throw new UploadError('conflict', `upload ${id} is being imported already`);
    if (upload.writing > 0) throw new UploadError('conflict', `upload ${id} is still receiving ${upload.writing} file(s)`);
    if (upload.failed) throw new UploadError('conflict', `upload ${id} failed (${upload.failed}): begin a new one`);
    if (upload.files.size === 0) throw new UploadError('invalid', `upload ${id} holds no file yet: send the files first`, 'uploadId');
    // A CSV upload imports as a table or as sequences (text, series); a folder only as the kind it was begun as.
    if (fileKindOf(request) !== upload.kind) {
      const allowed = upload.kind === 'csv' ? 'csv, text or series' : upload.kind;
      throw new UploadError('invalid', `kind must be ${allowed} for an upload begun as ${upload.kind} (got ${request.kind})`, 'kind');
    }
    upload.importing = true;
    try {
      const files = join(upload.dir, 'files');
      let path: string;
      if (upload.kind === 'csv') {
        path = join(files, ...[...upload.files.keys()][0]!.split('/'));
      } else if (isPixelKind(upload.kind)) {
        path = await pixelRoot(files);
      } else {
        const only = [...upload.files.keys()];
        if (only.length === 1 && /\.zip$/i.test(only[0]!)) {
          const unzipped = join(upload.dir, 'unzipped');
          await extractZip(join(files, ...only[0]!.split('/')), only[0]!, unzipped);
          path = await datasetRoot(unzipped);
        } else {
          path = await datasetRoot(files);
        }
      }
      const imported = await importDatasetFile({ ...request, path } as DatasetFileRequest, onProgress);
      return { ...imported, files: upload.files.size, bytes: upload.bytes };
    } finally {
      this.discard(id);
    }
  }

  /** Uploads older than UPLOAD_LIMITS.expireMs that nothing is writing to or importing. */
  sweep(): void {
    const now = this.now();
    for (const upload of [...this.uploads.values()]) {
      if (!upload.importing && upload.writing === 0 && now - upload.createdAt > UPLOAD_LIMITS.expireMs) this.discard(upload.id);
    }
  }

  /** Open uploads (tests). */
  get size(): number {
    return this.uploads.size;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

type ImportKind = DatasetFileRequest['kind'];

/** The fields `datasets.importUpload` takes for each kind; a field given for another kind is refused, never ignored. */
const UPLOAD_FIELDS: Record<ImportKind, readonly string[]> = {
  csv: ['name', 'target', 'header', 'impute', 'task'],
  images: ['name', 'size', 'rgb'],
  idx: ['name'],
  cifar: ['name', 'labels'],
  text: ['name', ...Object.keys(TEXT_IMPORT_FIELDS)],
  series: ['name', ...Object.keys(SERIES_IMPORT_FIELDS)],
};
const WHAT_REQUEST: Record<ImportKind, string> = { ...WHAT, text: 'a text import', series: 'a series import' };

/** The importer's request for an upload of `kind`, from the API's fields (all kinds' fields in one object). */
export function uploadRequest(input: { kind: ImportKind } & Record<string, unknown>): DistributiveOmit<DatasetFileRequest, 'path'> {
  const allowed = UPLOAD_FIELDS[input.kind];
  for (const [field, value] of Object.entries(input)) {
    if (field === 'kind' || value === undefined || allowed.includes(field)) continue;
    throw new UploadError('invalid', `${field} does not apply to ${WHAT_REQUEST[input.kind]} (it takes ${allowed.join(', ')})`, field);
  }
  return input as DistributiveOmit<DatasetFileRequest, 'path'>;
}

/** A zip of an image folder, read through the bundles' bounded reader: names checked, every byte counted as it inflates. */
const UPLOAD_ZIP_POLICY = (shown: string): ZipPolicy => ({
  checkName: (name) => {
    const problem = uploadPathProblem(name.endsWith('/') ? name.slice(0, -1) : name, UPLOAD_LIMITS.maxDepth + 1);
    return problem ? `entry ${JSON.stringify(name.slice(0, 200))}: its path ${problem}` : null;
  },
  refuse: (reason) => new DatasetImportError('bad_archive', `${shown}: ${reason}`, { file: shown }),
  exactly: 'an image folder is a plain zip of class folders',
  bomb: 'not a zip of images (PNG and JPEG files barely compress)',
});

async function extractZip(file: string, shown: string, into: string): Promise<void> {
  let data: Buffer;
  try {
    data = await readFileLimited(file, { maxBytes: UPLOAD_LIMITS.zipBytes, shown });
  } catch (error) {
    throw fromInputFileError(error);
  }
  const limits: ZipLimits = {
    maxFileBytes: UPLOAD_LIMITS.zipBytes,
    maxEntryBytes: UPLOAD_LIMITS.imageBytes,
    maxTotalBytes: UPLOAD_LIMITS.totalBytes,
    // Files, and a folder entry for each class and the top folder.
    maxEntries: UPLOAD_LIMITS.maxFiles + 2_000,
    maxManifestBytes: UPLOAD_LIMITS.imageBytes,
    maxInflateRatio: UPLOAD_LIMITS.zipInflateRatio,
    inflateAllowance: UPLOAD_LIMITS.zipInflateAllowance,
  };
  const policy = UPLOAD_ZIP_POLICY(shown);
  const entries = readCentralDirectory(data, limits, policy);
  const inflated = await inflateEntries(data, entries, limits, undefined, policy);
  await mkdir(into, { recursive: true });
  for (const [name, { bytes }] of inflated) {
    // Folder entries, and what macOS's archiver adds (__MACOSX/, ._ files), are not data.
    if (name.endsWith('/') || name.split('/').some((part) => part === '__MACOSX' || part.startsWith('._'))) continue;
    const target = join(into, ...name.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes, { flag: 'wx' });
  }
}

/** The folder of IDX files or CIFAR batches inside what was uploaded: a picked folder arrives as `fashion/t10k-…`. */
async function pixelRoot(dir: string): Promise<string> {
  let here = dir;
  for (let depth = 0; depth < UPLOAD_LIMITS.maxDepth; depth++) {
    const entries = (await readdir(here, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
    if (entries.length !== 1 || !entries[0]!.isDirectory()) return here;
    here = join(here, entries[0]!.name);
  }
  return here;
}

/**
 * The folder of class folders inside what was uploaded: a picked folder arrives as `photos/cats/1.png`, a zip often
 * holds one top folder; while the level holds exactly one folder (hidden entries aside) and that folder holds folders,
 * go down into it.
 */
async function datasetRoot(dir: string): Promise<string> {
  let here = dir;
  for (let depth = 0; depth < UPLOAD_LIMITS.maxDepth; depth++) {
    const entries = (await readdir(here, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
    if (entries.length !== 1 || !entries[0]!.isDirectory()) return here;
    const inner = join(here, entries[0]!.name);
    const innerEntries = (await readdir(inner, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
    if (!innerEntries.some((e) => e.isDirectory())) return here;
    here = inner;
  }
  return here;
}
