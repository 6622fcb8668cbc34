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
  /** A read-only open met a database its holder has not upgraded to this version's schema yet. */
  | 'SchemaTooOld'
  | 'MigrationFailed'
  | 'CheckpointCorrupt'
  | 'BundleInvalid'
  | 'StoreClosed'
  /** A write failed for lack of space: the disk, or a size limit on the database. Nothing half-written is kept. */
  | 'DiskFull'
  /** A read or write failed for another I/O reason (a failing disk, a folder gone, a file made read-only). */
  | 'WriteFailed'
  /** A write on a store opened read-only (beside the process that holds the data folder). */
  | 'ReadOnly'
  /** SQLite found damage while reading (the next open checks the file and moves a damaged one aside). */
  | 'DatabaseCorrupt';

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

/** SQLite's or the OS's error for a full disk, a failing disk, a read-only database or a damaged file, as a StoreError; others as they are. */
export function storeErrorFrom(error: unknown, where: string): unknown {
  if (error instanceof StoreError || !(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return error;
  const detail = { sqliteCode: code, path: where };
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') {
    return new StoreError('DiskFull', `the disk holding ${where} is full (${error.message}): nothing of the failed write was kept; free some space and try again`, detail);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') {
    return new StoreError(code === 'EROFS' ? 'WriteFailed' : 'ReadOnly', `${where} cannot be written (${error.message})`, detail);
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO' || code === 'SQLITE_CANTOPEN') {
    return new StoreError('WriteFailed', `reading or writing ${where} failed (${code}: ${error.message})`, detail);
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StoreError('DatabaseCorrupt', `${where} is damaged (${code}: ${error.message}); the next start checks it and moves it aside, keeping what can be read`, detail);
  }
  return error;
}

/** The store errors that a full or failing disk causes: the run that hit one is interrupted, not failed, and resumes once the disk is fixed. */
export function isDiskError(error: unknown): error is StoreError {
  return error instanceof StoreError && (error.code === 'DiskFull' || error.code === 'WriteFailed');
}
