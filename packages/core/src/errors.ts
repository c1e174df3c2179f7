// The one error type. Core says what kind of failure it is; the HTTP edge (@surveyflow/http) maps each kind to a
// status and every error to { error: { code, message, details? } }. Core knows nothing of HTTP.
export type ErrorDetail = { field: string; message: string };

/** What went wrong, in the domain's words; the edge maps each to one HTTP status. */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'too_large'
  | 'unsupported_media'
  | 'rate_limited'
  | 'internal';

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badRequest(message: string, details?: ErrorDetail[]) {
    return new AppError('bad_request', 'invalid', message, details);
  }
  static validation(details: ErrorDetail[]) {
    const fields = [...new Set(details.map((d) => d.field))].join(', ');
    return new AppError('validation_failed', 'invalid', `Invalid request: ${fields}`, details);
  }
  static unauthorized(message = 'A valid API key is required: Authorization: Bearer sf_live_…') {
    return new AppError('unauthorized', 'unauthenticated', message);
  }
  static forbidden(message: string) {
    return new AppError('forbidden', 'forbidden', message);
  }
  static notFound(what: string) {
    return new AppError('not_found', 'not_found', `${what} not found`);
  }
  static conflict(message: string, details?: ErrorDetail[]) {
    return new AppError('conflict', 'conflict', message, details);
  }
  static gone(message: string) {
    return new AppError('gone', 'gone', message);
  }
  static internal() {
    return new AppError('internal', 'internal', 'Something went wrong on our side; it has been logged');
  }
}

export type ErrorBody = { error: { code: string; message: string; details?: ErrorDetail[] } };

export function errorBody(err: AppError): ErrorBody {
  return {
    error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
  };
}
