// Image folders → a Dataset: one sub-folder per class (sorted by name), PNG and JPEG files decoded with
// sharp, resized to the model's input (height × width, stretched) in grayscale or RGB, kept as raw 0–255
// pixel values (as the MNIST digits are) so the input-scaling tricks apply.
//
// The layout rules, each refused or reported by name rather than guessed at:
// - the root holds class folders; files directly in it, and hidden entries (`.DS_Store`, `.git`) anywhere,
//   are skipped and listed in `skipped`;
// - a class folder holds images directly: a folder inside a class folder is an error (nested_folder), never
//   silently ignored nor silently merged into its parent's class;
// - a file whose name ends .png/.jpg/.jpeg must *be* a PNG or JPEG (its first bytes are checked: a GIF named
//   .jpg is refused); other files are skipped and listed;
// - listing stops at the image and skipped-file limits, each image is read with its byte cap (counted, not
//   stat()ed) and decoded with a pixel cap; an unreadable or truncated image refuses the whole import.
import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { CLASS_LIMITS, IMAGE_LIMITS } from '../../shared/limits/inputs.js';
import type { Dataset } from '../engine/data/dataset.js';
import { kindOf, openError, readFileLimited } from '../files/read.js';
import { DatasetImportError, defaultDatasetName, fromInputFileError } from './errors.js';
import { splitRows } from './split.js';

const IMAGE_FILE = /\.(png|jpe?g)$/i;
/** Pixels a decoded image may have (an 8,192 × 8,192 photo); a tiny PNG can declare far more. */
export const MAX_INPUT_PIXELS = 8192 * 8192;

export interface ImageFolderOptions {
  /** [height, width] every image is resized to; default 28 × 28. */
  size?: [number, number];
  /** 1 = grayscale (default), 3 = RGB. */
  channels?: 1 | 3;
  name?: string;
  maxFileBytes?: number;
  maxImages?: number;
  seed?: number;
  /** Called as images are decoded (done of total), for a progress bar on large folders. */
  onProgress?(done: number, total: number): void;
}

export interface ImageFolderImport {
  dataset: Dataset;
  files: number;
  skipped: string[];
}

type EntryKind = 'folder' | 'file' | 'other';

/** What a directory entry is, following a symbolic link once (a link to a folder is a folder). */
async function entryKind(dir: string, entry: { name: string; isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean }): Promise<EntryKind> {
  if (entry.isDirectory()) return 'folder';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return 'other';
  try {
    const target = await stat(join(dir, entry.name));
    return target.isDirectory() ? 'folder' : target.isFile() ? 'file' : 'other';
  } catch {
    return 'other';
  }
}

/** The entries of a folder, sorted by name, read lazily so that a folder of millions stops at `max`. */
async function listFolder(dir: string, shown: string, max: number, what: string): Promise<Array<{ name: string; kind: EntryKind }>> {
  let handle;
  try {
    handle = await opendir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') {
      const what = await stat(dir).then((s) => (s.isFile() ? 'a file' : kindOf(s)), () => 'not a folder');
      throw new DatasetImportError('not_a_folder', `${shown} is ${what}, not a folder (an image dataset is a folder of class sub-folders)`, { file: shown });
    }
    const e = openError(error, shown);
    throw new DatasetImportError('unreadable', `${e.message.replace(/: no such file$/, ': no such folder')}`, { file: shown });
  }
  const out: Array<{ name: string; kind: EntryKind }> = [];
  try {
    for await (const entry of handle) {
      if (out.length >= max) throw new DatasetImportError('too_large', `${shown}: more than ${max} ${what}`, { file: shown });
      out.push({ name: entry.name, kind: await entryKind(dir, entry) });
    }
  } finally {
    await handle.close().catch(() => {});
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The format a file's first bytes say it is; null for PNG and JPEG, else the sentence refusing it. */
export function imageSignatureProblem(bytes: Uint8Array): string | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return null;
  if (starts(0xff, 0xd8, 0xff)) return null;
  if (bytes.byteLength === 0) return 'the file is empty';
  const other =
    ascii(0, 4) === 'GIF8'
      ? 'a GIF image'
      : ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP'
        ? 'a WebP image'
        : ascii(0, 2) === 'BM'
          ? 'a BMP image'
          : starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)
            ? 'a TIFF image'
            : ascii(4, 8) === 'ftyp'
              ? 'an HEIF/AVIF image'
              : null;
  return other ? `it is ${other}; only PNG and JPEG are read` : 'it does not start with a PNG or JPEG signature';
}

export async function importImageFolder(root: string, options: ImageFolderOptions = {}): Promise<ImageFolderImport> {
  const [height, width] = options.size ?? IMAGE_LIMITS.defaultSize;
  const channels = options.channels ?? 1;
  const maxBytes = options.maxFileBytes ?? IMAGE_LIMITS.maxFileBytes;
  const maxImages = options.maxImages ?? IMAGE_LIMITS.maxImages;
  const maxOther = IMAGE_LIMITS.maxOtherFiles;

  const top = await listFolder(root, root, CLASS_LIMITS.maxClasses + maxOther, 'entries');
  const skipped: string[] = [];
  const skip = (path: string) => {
    skipped.push(path);
    if (skipped.length > maxOther) throw new DatasetImportError('too_large', `${root}: more than ${maxOther} files that are not PNG or JPEG images`, { file: root });
  };
  const classes: string[] = [];
  for (const e of top) {
    if (e.kind === 'folder' && !e.name.startsWith('.')) classes.push(e.name);
    else skip(e.name);
  }
  if (classes.length > CLASS_LIMITS.maxClasses) {
    throw new DatasetImportError('too_many_classes', `${root}: ${classes.length} class folders, over the limit of ${CLASS_LIMITS.maxClasses}`, { file: root });
  }

  const files: Array<{ path: string; shown: string; label: number }> = [];
  for (const [label, name] of classes.entries()) {
    const inClass = await listFolder(join(root, name), join(root, name), maxImages - files.length + maxOther + 1, 'entries');
    for (const e of inClass) {
      const shown = join(name, e.name);
      if (e.name.startsWith('.')) skip(shown);
      else if (e.kind === 'folder') {
        throw new DatasetImportError(
          'nested_folder',
          `${shown}: a folder inside the class folder "${name}"; each class folder must hold its images directly (move the images up into "${name}", or make "${e.name}" a class folder of its own)`,
          { file: shown },
        );
      } else if (IMAGE_FILE.test(e.name)) {
        files.push({ path: join(root, shown), shown, label });
        if (files.length > maxImages) throw new DatasetImportError('too_large', `${root}: more than ${maxImages} images, over the limit`, { file: root });
      } else skip(shown);
    }
  }
  if (files.length === 0) throw new DatasetImportError('no_images', `${root}: no PNG or JPEG images in class sub-folders (one sub-folder per class)`, { file: root });
  const perClass = classes.map((_, c) => files.filter((f) => f.label === c).length);
  const empty = classes.filter((_, c) => perClass[c] === 0);
  if (empty.length) throw new DatasetImportError('no_images', `${join(root, empty[0]!)}: the class folder "${empty[0]}" holds no PNG or JPEG images`, { file: join(root, empty[0]!) });
  if (classes.length < 2) throw new DatasetImportError('one_class', `${root}: only one class folder ("${classes[0]}"); a classifier needs at least two`, { file: root });

  const features = height * width * channels;
  const x = new Float32Array(files.length * features);
  const y = new Float32Array(files.length * classes.length);
  for (const [i, { path, shown, label }] of files.entries()) {
    let bytes: Buffer;
    try {
      bytes = await readFileLimited(path, { maxBytes, shown });
    } catch (error) {
      const e = fromInputFileError(error);
      if (e instanceof DatasetImportError && e.code === 'too_large') throw new DatasetImportError('too_large', `${e.message} per image`, e.where);
      throw e;
    }
    const signature = imageSignatureProblem(bytes);
    if (signature) throw new DatasetImportError('bad_image', `${shown}: not a readable PNG or JPEG image (${signature})`, { file: shown });
    let pixels: Buffer;
    try {
      let image = sharp(bytes, { failOn: 'warning', limitInputPixels: MAX_INPUT_PIXELS }).resize({ width, height, fit: 'fill' });
      image = channels === 1 ? image.grayscale() : image.toColourspace('srgb');
      const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== channels || info.width !== width || info.height !== height) {
        throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${width}×${height}×${channels}`);
      }
      pixels = data;
    } catch (error) {
      throw new DatasetImportError('bad_image', `${shown}: not a readable PNG or JPEG image (${(error as Error).message})`, { file: shown });
    }
    for (let p = 0; p < features; p++) x[i * features + p] = pixels[p]!;
    y[i * classes.length + label] = 1;
    options.onProgress?.(i + 1, files.length);
  }
  const dataset = splitRows(
    { name: options.name ?? defaultDatasetName(root.split(/[\\/]/).filter(Boolean).pop() ?? 'images'), inputShape: [height, width, channels], numClasses: classes.length, classNames: classes },
    x,
    y,
    files.length,
    options.seed,
  );
  return { dataset, files: files.length, skipped };
}
