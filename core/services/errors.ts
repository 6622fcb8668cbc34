// Any failure as an ApiError: store errors keep their code in `details.storeCode`, and anything that is
// not understood becomes `internal` (logged by the caller: it is a bug, or the disk).
import { ApiError } from '../../shared/api/contract.js';
import { StoreError, type StoreErrorCode } from '../store/index.js';

const STORE_CODES: Readonly<Record<StoreErrorCode, ApiError['code']>> = {
  ProjectNotFound: 'not_found',
  ModelVersionNotFound: 'not_found',
  DatasetNotFound: 'not_found',
  RunNotFound: 'not_found',
  CheckpointNotFound: 'not_found',
  ComparisonNotFound: 'not_found',
  SweepNotFound: 'not_found',
  InvalidInput: 'invalid_input',
  InvalidTransition: 'conflict',
  DataDirLocked: 'conflict',
  SchemaTooNew: 'internal',
  SchemaTooOld: 'conflict',
  MigrationFailed: 'internal',
  CheckpointCorrupt: 'internal',
  BundleInvalid: 'invalid_input',
  StoreClosed: 'internal',
  DiskFull: 'internal',
  WriteFailed: 'internal',
  ReadOnly: 'conflict',
  DatabaseCorrupt: 'internal',
};

export function toApiError(error: unknown, method?: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof StoreError) {
    return new ApiError(STORE_CODES[error.code] ?? 'internal', error.message, { storeCode: error.code, ...error.details });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError('internal', method ? `${method} failed: ${message}` : message, null);
}

export { conflict } from '../runs/errors.js';
export const notFound = (message: string, details: Record<string, unknown> = {}) => new ApiError('not_found', message, details);
