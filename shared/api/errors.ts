// Errors cross every transport as one plain shape, `{code, message, details}`: a stable code to branch on,
// a sentence that names the field and the value, and the values involved. `ApiError` is the thrown form
// on either side of a transport.

export const API_ERROR_CODES = [
  'invalid_input',
  'not_found',
  'conflict',
  'unknown_method',
  'unauthorized',
  'forbidden',
  'payload_too_large',
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorShape {
  code: ApiErrorCode;
  message: string;
  /** For invalid_input: `{ method, errors: [{ path, message }] }`; for store errors: `{ storeCode, … }`. */
  details: unknown;
}

/** The HTTP status the browser host answers with for each code (IPC carries the code alone). */
export const HTTP_STATUS: Readonly<Record<ApiErrorCode, number>> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  unknown_method: 404,
  unauthorized: 401,
  forbidden: 403,
  payload_too_large: 413,
  internal: 500,
};

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = `ApiError(${code})`;
  }

  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message, details: this.details ?? null };
  }

  /** Rebuilds an ApiError from a shape that crossed a transport; anything else becomes `internal`. */
  static fromShape(value: unknown): ApiError {
    if (isApiErrorShape(value)) return new ApiError(value.code, value.message, value.details ?? null);
    return new ApiError('internal', 'the host answered with something that is not an API error', { got: describe(value) });
  }
}

export function isApiError(error: unknown, code?: ApiErrorCode): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

export function isApiErrorShape(value: unknown): value is ApiErrorShape {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && (API_ERROR_CODES as readonly string[]).includes(v.code) && typeof v.message === 'string';
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 200 ? `${text.slice(0, 197)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * What a transport that cannot carry thrown errors (Electron's ipcMain.handle keeps only the message)
 * sends back: the result, or the error's shape.
 */
export type ApiEnvelope<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiErrorShape };

export function unwrapEnvelope<T>(envelope: unknown): T {
  if (envelope !== null && typeof envelope === 'object' && 'ok' in envelope) {
    const e = envelope as ApiEnvelope<T>;
    if (e.ok === true) return e.result;
    if (e.ok === false) throw ApiError.fromShape(e.error);
  }
  throw new ApiError('internal', 'the host answered with something that is not an API envelope', { got: describe(envelope) });
}
