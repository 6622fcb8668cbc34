// Every failure the store reports is a StoreError: a stable `code` to branch on, a message that names the
// thing (`RunNotFound: run 42 does not exist` when printed) and `details` with the values involved.

export type StoreErrorCode =
  | 'ProjectNotFound'
  | 'ModelVersionNotFound'
  | 'DatasetNotFound'
  | 'RunNotFound'
  | 'CheckpointNotFound'
  | 'ComparisonNotFound'
  | 'SweepNotFound'
  | 'InvalidInput'
  | 'InvalidTransition'
  | 'DataDirLocked'
  | 'SchemaTooNew'
  | 'MigrationFailed'
  | 'CheckpointCorrupt'
  | 'BundleInvalid'
  | 'StoreClosed';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    // `String(error)` and stack traces then read `RunNotFound: run 42 does not exist`.
    this.name = code;
  }
}

export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}

export function notFound(
  code: Extract<StoreErrorCode, `${string}NotFound`>,
  noun: string,
  id: number,
): StoreError {
  return new StoreError(code, `${noun} ${id} does not exist`, { id });
}

export function invalid(message: string, details: Record<string, unknown> = {}): StoreError {
  return new StoreError('InvalidInput', message, details);
}
