// Why an import was refused: always names the file, and the row and column or the image where known.
export type DatasetErrorCode =
  | 'too_large'
  | 'unreadable'
  | 'empty'
  | 'ragged'
  | 'not_numeric'
  | 'missing_value'
  | 'bad_target'
  | 'one_class'
  | 'too_few_rows'
  | 'no_images'
  | 'bad_image'
  | 'too_many_categories';

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
