// The one error type: every 4xx/5xx the API answers is an AppError mapped to { error: { code, message, details? } }.
export type ErrorDetail = { field: string; message: string };

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badRequest(message: string, details?: ErrorDetail[]) {
    return new AppError('bad_request', 400, message, details);
  }
  static validation(details: ErrorDetail[]) {
    const fields = details.map((d) => d.field).join(', ');
    return new AppError('validation_failed', 400, `Invalid request: ${fields}`, details);
  }
  static unauthorized(message = 'A valid API key is required: Authorization: Bearer sf_live_…') {
    return new AppError('unauthorized', 401, message);
  }
  static notFound(what: string) {
    return new AppError('not_found', 404, `${what} not found`);
  }
  static conflict(message: string, details?: ErrorDetail[]) {
    return new AppError('conflict', 409, message, details);
  }
  static gone(message: string) {
    return new AppError('gone', 410, message);
  }
}

export type ErrorBody = { error: { code: string; message: string; details?: ErrorDetail[] } };

export function errorBody(err: AppError): ErrorBody {
  return {
    error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
  };
}
