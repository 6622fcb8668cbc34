// Image folders → a Dataset: one sub-folder per class (sorted by name), PNG and JPEG files decoded with
// sharp, resized to the model's input (height × width, stretched) in grayscale or RGB, kept as raw 0–255
// pixel values (as the MNIST digits are) so the input-scaling tricks apply. Files of other kinds are
// skipped; an unreadable or truncated image refuses the whole import, naming the file.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import type { Dataset } from '../engine/data/dataset.js';
import { DatasetImportError } from './errors.js';
import { splitRows } from './split.js';

export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
export const MAX_IMAGES = 200_000;
const IMAGE_FILE = /\.(png|jpe?g)$/i;

export interface ImageFolderOptions {
  /** [height, width] every image is resized to; default 28 × 28. */
  size?: [number, number];
  /** 1 = grayscale (default), 3 = RGB. */
  channels?: 1 | 3;
  name?: string;
  maxFileBytes?: number;
  seed?: number;
  /** Called as images are decoded (done of total), for a progress bar on large folders. */
  onProgress?(done: number, total: number): void;
}

export interface ImageFolderImport {
  dataset: Dataset;
  files: number;
  skipped: string[];
}

export async function importImageFolder(root: string, options: ImageFolderOptions = {}): Promise<ImageFolderImport> {
  const [height, width] = options.size ?? [28, 28];
  const channels = options.channels ?? 1;
  const maxBytes = options.maxFileBytes ?? MAX_IMAGE_BYTES;
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch (error) {
    throw new DatasetImportError('unreadable', `${root}: cannot read the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file: root });
  }
  const classes = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const skipped: string[] = [];
  const files: Array<{ path: string; label: number }> = [];
  classes.forEach((name, label) => {
    const inClass = readdirSync(join(root, name), { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort();
    for (const f of inClass) {
      if (IMAGE_FILE.test(f)) files.push({ path: join(root, name, f), label });
      else skipped.push(join(name, f));
    }
  });
  if (files.length === 0) throw new DatasetImportError('no_images', `${root}: no PNG or JPEG images in class sub-folders (one sub-folder per class)`, { file: root });
  const perClass = classes.map((_, c) => files.filter((f) => f.label === c).length);
  const empty = classes.filter((_, c) => perClass[c] === 0);
  if (empty.length) throw new DatasetImportError('no_images', `${join(root, empty[0]!)}: the class folder "${empty[0]}" holds no PNG or JPEG images`, { file: join(root, empty[0]!) });
  if (classes.length < 2) throw new DatasetImportError('one_class', `${root}: only one class folder ("${classes[0]}"); a classifier needs at least two`, { file: root });
  if (files.length > MAX_IMAGES) throw new DatasetImportError('too_large', `${root}: ${files.length} images is over the limit of ${MAX_IMAGES}`, { file: root });

  const features = height * width * channels;
  const x = new Float32Array(files.length * features);
  const y = new Float32Array(files.length * classes.length);
  for (const [i, { path, label }] of files.entries()) {
    const shown = relative(root, path);
    const size = statSync(path).size;
    if (size > maxBytes) throw new DatasetImportError('too_large', `${shown}: ${size} bytes is over the limit of ${maxBytes} bytes per image`, { file: shown });
    let pixels: Buffer;
    try {
      let image = sharp(readFileSync(path), { failOn: 'warning' }).resize({ width, height, fit: 'fill' });
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
    { name: options.name ?? (root.split(/[\\/]/).filter(Boolean).pop() ?? 'images'), inputShape: [height, width, channels], numClasses: classes.length, classNames: classes },
    x,
    y,
    files.length,
    options.seed,
  );
  return { dataset, files: files.length, skipped };
}
