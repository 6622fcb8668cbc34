// Why an import was refused: always names the file, and the row and column or the image where known.
import { NAME_MAX_CHARS } from '../../shared/limits/inputs.js';
import { escapeUnsafeLine } from '../../shared/text/safe-text.js';
import { InputFileError } from '../files/read.js';

export type DatasetErrorCode =
  | 'too_large'
  | 'unreadable'
  | 'not_a_file'
  | 'not_a_folder'
  | 'empty'
  | 'ragged'
  | 'not_numeric'
  | 'missing_value'
  | 'bad_target'
  | 'one_class'
  | 'too_many_classes'
  | 'too_few_rows'
  | 'too_many_columns'
  | 'duplicate_column'
  | 'no_images'
  | 'bad_image'
  | 'nested_folder'
  | 'too_many_categories'
  // IDX files and CIFAR batches (core/datasets/idx.ts, cifar.ts).
  | 'missing_file'
  | 'not_gzip'
  | 'bad_gzip'
  | 'bad_header'
  | 'truncated'
  | 'trailing_data'
  | 'count_mismatch'
  | 'shape_mismatch'
  | 'label_out_of_range'
  | 'bad_class_names'
  | 'ambiguous'
  // sequence imports (sequence-csv.ts)
  | 'bad_column'
  | 'bad_option'
  | 'too_many_values'
  /** An uploaded .zip that is not a plain, honest zip of an image folder (./uploads.ts). */
  | 'bad_archive';

export class DatasetImportError extends Error {
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
    readonly where: { file?: string; row?: number; column?: string } = {},
  ) {
    super(message);
    this.name = 'DatasetImportError';
  }
}

/** A refused read (core/files/read.ts) as the import's error; anything else is rethrown as it is. */
export function fromInputFileError(error: unknown): unknown {
  if (!(error instanceof InputFileError)) return error;
  const code: DatasetErrorCode = error.code === 'too_large' ? 'too_large' : error.code === 'not_a_file' ? 'not_a_file' : 'unreadable';
  return new DatasetImportError(code, error.message, { file: error.file });
}

/** A dataset's default name, from its file or folder name: control and bidi characters escaped, at most 200 characters. */
export function defaultDatasetName(fromPath: string): string {
  return escapeUnsafeLine(fromPath).slice(0, NAME_MAX_CHARS) || 'dataset';
}
