// Reading the research formats' files (IDX, CIFAR batches, class-name lists) without trusting them: each file
// is read with its byte cap counted as it is read (core/files/read.ts), and gzip data is inflated by a zlib
// stream (in the thread pool, so a host keeps answering) with the output counted: it stops at the size the
// file's own header declares (`declaredSize`, once the first bytes are out) and at the inflated-size cap
// whatever it declares, so a gzip bomb stops there (as the bundle reader does, core/store/bundle-zip.ts).
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { PIXEL_FILE_LIMITS } from '../../shared/limits/inputs.js';
import { readFileLimited } from '../files/read.js';
import { DatasetImportError, fromInputFileError } from './errors.js';

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const INFLATE_CHUNK = 1024 * 1024;

export interface PixelFile {
  /** The decompressed bytes. */
  bytes: Uint8Array;
  /** How errors and notes name the file: its base name. */
  shown: string;
  gzip: boolean;
  /** sha256 (hex) of the decompressed bytes: what recognises a known dataset. */
  sha256: string;
}

export interface PixelFileOptions {
  /**
   * Called with the first decompressed bytes (at least `headBytes` of them, or all there are): the total size
   * the file's own header declares, or null when it declares none. It may throw the header's DatasetImportError.
   */
  declaredSize?(head: Uint8Array): number | null;
  headBytes?: number;
  maxFileBytes?: number;
  maxInflatedBytes?: number;
}

/** The file's first bytes, in words, for "it starts with …": quoted text when they read as text, else hex. */
export function describeStart(bytes: Uint8Array): string {
  if (bytes.byteLength === 0) return 'nothing: the file is empty';
  const head = bytes.subarray(0, 16);
  const text = String.fromCharCode(...head);
  if (/^[\x20-\x7e\t\r\n]+$/.test(text)) return JSON.stringify(text.replace(/\s+/g, ' ').trim()) + (bytes.byteLength > 16 ? '…' : '');
  return Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Reads a file, inflating it when it is gzip data (by its first bytes); a name ending .gz must be gzip data. */
export async function readPixelFile(path: string, options: PixelFileOptions = {}): Promise<PixelFile> {
  const shown = basename(path);
  let raw: Buffer;
  try {
    raw = await readFileLimited(path, { maxBytes: options.maxFileBytes ?? PIXEL_FILE_LIMITS.maxFileBytes, shown });
  } catch (error) {
    throw fromInputFileError(error);
  }
  const gzip = raw.byteLength >= 2 && raw[0] === GZIP_MAGIC[0] && raw[1] === GZIP_MAGIC[1];
  if (/\.gz$/i.test(shown) && !gzip) {
    // A failed download saved under the archive's name (an HTML page) is the usual case.
    const idx = raw.byteLength >= 4 && raw[0] === 0 && raw[1] === 0 && raw[2] === 0x08;
    throw new DatasetImportError(
      'not_gzip',
      `${shown}: named .gz but not gzip data (it starts with ${describeStart(raw)})${idx ? '; it looks like an uncompressed IDX file: remove .gz from its name' : ''}`,
      { file: shown },
    );
  }
  let bytes: Uint8Array;
  if (gzip) bytes = await inflate(raw, shown, options);
  else {
    bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    // Checked here too, so a raw file's header is refused with the same words as a gzipped one's.
    options.declaredSize?.(bytes.subarray(0, options.headBytes ?? bytes.byteLength));
  }
  return { bytes, shown, gzip, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function inflate(compressed: Uint8Array, shown: string, options: PixelFileOptions): Promise<Uint8Array> {
  const cap = options.maxInflatedBytes ?? PIXEL_FILE_LIMITS.maxInflatedBytes;
  const headBytes = options.headBytes ?? 0;
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK });
    const chunks: Buffer[] = [];
    let produced = 0;
    let declared: number | null | undefined;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      gunzip.destroy();
      reject(error);
    };
    const head = (): Uint8Array => (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, produced));
    const checkHead = (final: boolean) => {
      if (declared !== undefined || !options.declaredSize || (produced < headBytes && !final)) return;
      declared = options.declaredSize(head());
    };
    gunzip.on('data', (chunk: Buffer) => {
      if (failed) return;
      produced += chunk.byteLength;
      chunks.push(chunk);
      try {
        checkHead(false);
      } catch (error) {
        return fail(error);
      }
      if (declared != null && produced > declared) {
        return fail(new DatasetImportError('trailing_data', `${shown}: inflates to more than the ${declared} bytes its header declares`, { file: shown }));
      }
      if (produced > cap) {
        return fail(new DatasetImportError('too_large', `${shown}: inflates to more than ${cap} bytes, over the limit`, { file: shown }));
      }
    });
    gunzip.on('error', (error) => fail(new DatasetImportError('bad_gzip', `${shown}: damaged or truncated gzip data (${error.message})`, { file: shown })));
    gunzip.on('end', () => {
      if (failed) return;
      try {
        checkHead(true);
      } catch (error) {
        return fail(error);
      }
      const all = head();
      resolve(new Uint8Array(all.buffer, all.byteOffset, all.byteLength));
    });
    gunzip.end(compressed);
  });
}
