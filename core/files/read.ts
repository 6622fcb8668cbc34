// Reading the files a user names (CSV tables, images, bundles, spec JSON) without trusting them:
// - only regular files: a directory, a device (/dev/zero), a FIFO or a socket is refused by name. The file is
//   opened first (non-blocking, so a FIFO with no writer cannot hang the open) and its *open descriptor* is
//   checked, so nothing can be swapped in between a check and the read;
// - read in chunks with a byte cap that counts what was actually read: stat() says 0 for devices and pipes,
//   and a file that grows while it is read still stops at the cap.
// The async reader yields to the event loop between chunks, so a host reading a big file keeps answering.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export type InputFileProblem = 'not_found' | 'not_a_file' | 'too_large' | 'unreadable';

export class InputFileError extends Error {
  constructor(
    readonly code: InputFileProblem,
    message: string,
    /** The file as the message names it. */
    readonly file: string,
  ) {
    super(message);
    this.name = 'InputFileError';
  }
}

export interface ReadLimits {
  maxBytes: number;
  /** How the file is named in errors (default: the path). */
  shown?: string;
  /** Bytes per read (default 1 MiB). */
  chunkBytes?: number;
}

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. Not defined on Windows.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const DEFAULT_CHUNK = 1024 * 1024;

/** What a non-regular file is, in words: `a directory`, `a character device`, … */
export function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function notAFile(shown: string, kind: string): InputFileError {
  return new InputFileError('not_a_file', `${shown} is ${kind}, not a file`, shown);
}

/** `size` from fstat when that already says too much; `listed` when only counting found out (the file grew, or lied). */
function tooLarge(shown: string, limit: number, size?: number, listed?: number): InputFileError {
  return new InputFileError(
    'too_large',
    size !== undefined
      ? `${shown}: ${size} bytes is over the limit of ${limit} bytes`
      : `${shown}: over the limit of ${limit} bytes once read (its listed size was ${listed ?? 0} bytes)`,
    shown,
  );
}

/** An open() or read() failure as a named error (no raw `EISDIR` or `ENOENT` reaches the user). */
export function openError(error: unknown, shown: string, path?: string): InputFileError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new InputFileError('not_found', `${shown}: no such file`, shown);
    case 'ENOTDIR':
      return new InputFileError('not_found', `${shown}: no such file (a part of the path is not a folder)`, shown);
    case 'EISDIR':
      return notAFile(shown, 'a directory');
    case 'ENXIO': {
      // open(2) on a socket, or on a device with nothing behind it: say which.
      let kind = 'a socket or a device';
      try {
        if (path !== undefined) kind = kindOf(statSync(path));
      } catch {
        // gone meanwhile: keep the general words
      }
      return notAFile(shown, kind);
    }
    case 'EACCES':
    case 'EPERM':
      return new InputFileError('unreadable', `${shown}: permission denied`, shown);
    case 'ELOOP':
      return new InputFileError('unreadable', `${shown}: too many levels of symbolic links`, shown);
    default:
      return new InputFileError('unreadable', `${shown}: cannot read it (${code ?? (error as Error).message})`, shown);
  }
}

function checkOpened(stats: Stats, shown: string, maxBytes: number): void {
  if (!stats.isFile()) throw notAFile(shown, kindOf(stats));
  if (stats.size > maxBytes) throw tooLarge(shown, maxBytes, stats.size);
}

function concat(chunks: Buffer[], total: number): Buffer {
  return chunks.length === 1 && chunks[0]!.byteLength === total ? chunks[0]! : Buffer.concat(chunks, total);
}

/** Reads a regular file of at most `maxBytes`, in chunks, counting what is read. Throws InputFileError. */
export async function readFileLimited(path: string, limits: ReadLimits): Promise<Buffer> {
  const shown = limits.shown ?? path;
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw openError(error, shown, path);
  }
  try {
    const stats = await handle.stat();
    checkOpened(stats, shown, limits.maxBytes);
    const listed = stats.size;
    const chunk = Math.max(1, limits.chunkBytes ?? DEFAULT_CHUNK);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // One byte more than the cap allows, so that a file exactly at the cap is read whole and one past it is caught.
      const want = Math.min(chunk, limits.maxBytes + 1 - total);
      const buffer = Buffer.allocUnsafe(want);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, want, null));
      } catch (error) {
        throw openError(error, shown);
      }
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limits.maxBytes) throw tooLarge(shown, limits.maxBytes, undefined, listed);
      chunks.push(bytesRead === want ? buffer : buffer.subarray(0, bytesRead));
    }
    return concat(chunks, total);
  } finally {
    await handle.close().catch(() => {});
  }
}

/** The same for the CLI's synchronous paths (a spec file read before anything else starts). */
export function readFileLimitedSync(path: string, limits: ReadLimits): Buffer {
  const shown = limits.shown ?? path;
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw openError(error, shown, path);
  }
  try {
    const stats = fstatSync(fd);
    checkOpened(stats, shown, limits.maxBytes);
    const listed = stats.size;
    const chunk = Math.max(1, limits.chunkBytes ?? DEFAULT_CHUNK);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(chunk, limits.maxBytes + 1 - total);
      const buffer = Buffer.allocUnsafe(want);
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, buffer, 0, want, null);
      } catch (error) {
        throw openError(error, shown);
      }
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limits.maxBytes) throw tooLarge(shown, limits.maxBytes, undefined, listed);
      chunks.push(bytesRead === want ? buffer : buffer.subarray(0, bytesRead));
    }
    return concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
