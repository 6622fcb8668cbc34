// The limits every user input is held to, one definition for the CLI, the API schemas (both transports)
// and the importers in core/: a CLI flag and the same API field can never disagree. File sizes here are
// counted as bytes are read (core/files/read.ts), never taken from stat(), which says 0 for devices and pipes.
import { unsafeCharProblem } from '../text/safe-text.js';

const MiB = 1024 * 1024;

// ---- names (projects, runs, datasets, comparisons, model versions) ----

export const NAME_MAX_CHARS = 200;
export const NOTES_MAX_CHARS = 10_000;

/**
 * Why a name is refused, or null: empty, too long, or holding a control or bidi-override character
 * (ANSI escapes, BEL, NUL, RLO…: shared/text/safe-text.ts says which and why).
 */
export function nameProblem(name: string): string | null {
  if (name.trim().length === 0) return 'must not be empty';
  if (name.length > NAME_MAX_CHARS) return `must be at most ${NAME_MAX_CHARS} characters`;
  return unsafeCharProblem(name);
}

/** Notes are multi-line: newline and tab are allowed, other control and bidi-override characters are not. */
export function notesProblem(notes: string): string | null {
  if (notes.length > NOTES_MAX_CHARS) return `must be at most ${NOTES_MAX_CHARS} characters`;
  return unsafeCharProblem(notes.replace(/[\n\t\r]/g, ' '));
}

// ---- files the user names ----

/** A spec, preset or config JSON file given to the CLI. */
export const MAX_JSON_FILE_BYTES = 16 * MiB;

// ---- datasets ----

export const CSV_LIMITS = {
  maxBytes: 200 * MiB,
  /** Columns of the table (features + target). */
  maxColumns: 10_000,
  /** Distinct text values one-hot encoded per categorical feature. */
  maxCategories: 100,
  /** Fewer rows cannot make a train / validation / test split. */
  minRows: 10,
  /** A numeric target with at most this many distinct integers is taken as class labels. */
  maxIntegerClasses: 20,
} as const;

/** CSV columns as sequences (core/datasets/sequence-csv.ts) and the synthetic sequence sets. */
export const SEQUENCE_LIMITS = {
  /** Steps per sequence: a text's tokens after padding/truncation, a series window. */
  maxLength: 1_024,
  /** Token ids a text import may assign (padding and out-of-vocabulary included). */
  maxVocabulary: 50_000,
  defaultVocabulary: 5_000,
  /** Values of a whole imported sequence set (sequences × steps × features): 400 MB of float32. */
  maxValues: 100_000_000,
  /** Fewer sequences cannot make a train / validation / test split. */
  minSequences: 10,
} as const;

export const IMAGE_LIMITS = {
  maxFileBytes: 50 * MiB,
  maxImages: 200_000,
  /** Files that are not PNG or JPEG are skipped (and listed); more than this many and the folder is refused. */
  maxOtherFiles: 10_000,
  /** Height and width every image is resized to: `--size` and `datasets.import`'s `size`. */
  minSide: 4,
  maxSide: 512,
  defaultSize: [28, 28] as const,
} as const;

/**
 * Pixel arrays in the research formats: IDX files (MNIST, Fashion-MNIST, KMNIST, EMNIST; raw or gzip) and
 * CIFAR-10/100 binary batches. Each file is read with `maxFileBytes` counted as it is read; gzip data is
 * inflated as a stream with the output counted, stopping at the size its IDX header declares (and at
 * `maxInflatedBytes` whatever it declares), so a gzip bomb stops there.
 */
export const PIXEL_FILE_LIMITS = {
  maxFileBytes: 1024 * MiB,
  maxInflatedBytes: 1024 * MiB,
  /**
   * Pixel values one import may hold (train and test together): the engine keeps them as float32, so this is
   * 1 GiB of memory. CIFAR-10 is 184 million, Fashion-MNIST 55 million; EMNIST ByClass (638 million) is refused.
   */
  maxValues: 268_435_456,
  /** A class-names file (one name per line). */
  maxClassNamesBytes: 1 * MiB,
  /** Entries a dataset folder may list (the standard layouts hold a handful). */
  maxFolderEntries: 1_000,
  /** The validation split drawn (seeded) from a training file when the test set ships as its own file. */
  validationFraction: 0.1,
} as const;

export const CLASS_LIMITS = {
  /** Classes a classification dataset may have (image class folders, distinct CSV target values). */
  maxClasses: 1_000,
  /** On average at least this many rows per class, or the target is an id or a number, not a class. */
  minRowsPerClass: 2,
} as const;

/** `[h, w]` within the image side limits, or the sentence saying what is allowed. */
export function imageSizeProblem(size: readonly number[]): string | null {
  const { minSide, maxSide } = IMAGE_LIMITS;
  const ok = size.length === 2 && size.every((n) => Number.isInteger(n) && n >= minSide && n <= maxSide);
  return ok ? null : `must be [height, width], each an integer in [${minSide}, ${maxSide}]`;
}

// ---- bundles ----

export const BUNDLE_LIMITS = {
  /** A .layerwise file read from disk (the API carries at most MAX_BUNDLE_BYTES of shared/api/contract.ts). */
  maxFileBytes: 1024 * MiB,
  maxTotalBytes: 2048 * MiB,
  maxEntries: 20_000,
  maxManifestBytes: 64 * MiB,
  /**
   * Inflated bytes may reach at most this many times the file's size (or `inflateAllowance`, whichever
   * is more): JSON deflates 5–10×, checkpoints are stored; a zip bomb deflates up to 1,032×.
   */
  maxInflateRatio: 32,
  inflateAllowance: 64 * MiB,
} as const;

/**
 * A prepared dataset file (`<data folder>/datasets/<fingerprint>.lwds`), read back by the engine: what the CSV and
 * image limits above can produce, with room to spare, and below what one Buffer can hold on every platform.
 */
export const PREPARED_DATASET_MAX_BYTES = 2048 * MiB;

// ---- files uploaded through the browser (the browser host's streaming upload, `datasets.beginUpload`) ----

/**
 * Counted as bytes arrive (never from Content-Length alone); a CSV file or an image folder (its files one by one, or
 * one .zip of it). The per-file caps are the importers' own.
 */
export const UPLOAD_LIMITS = {
  csvBytes: CSV_LIMITS.maxBytes,
  imageBytes: IMAGE_LIMITS.maxFileBytes,
  /** A .zip of an image folder. */
  zipBytes: 512 * MiB,
  /** All files of one upload together. */
  totalBytes: 1024 * MiB,
  /** Files of one image-folder upload: the importer's images plus the other files it may skip. */
  maxFiles: IMAGE_LIMITS.maxImages + IMAGE_LIMITS.maxOtherFiles,
  /** A file's path inside the upload: `folder/class/image.png` at most. */
  maxDepth: 3,
  maxPathChars: 1024,
  /** Uploads open at once; an upload not imported within this time is removed. */
  maxOpen: 8,
  expireMs: 60 * 60_000,
  /** A zip of images inflates to about its own size (PNG and JPEG are compressed already): more is refused. */
  zipInflateRatio: 4,
  zipInflateAllowance: 64 * MiB,
} as const;
