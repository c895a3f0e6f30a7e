import type { ErrorRequestHandler, RequestHandler } from 'express';
import { requestLog } from './http-fast.js';
import { ServingError, type FieldProblem, type ServingErrorKind } from '@reelrank/serving';
import type { ErrorBody } from './schemas.js';

export type { FieldProblem };

/**
 * The one error format, `{error: {status, code, message, details}}`, and the one error middleware.
 * Client mistakes are always 4xx; anything unexpected is a 500 with a generic message (the
 * details go to the log only).
 */

/** An HTTP error answer: its status, a stable code, a message and the fields at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The status of each kind of serving error (packages/serving errors.ts). */
const STATUS_OF_KIND: Record<ServingErrorKind, number> = {
  'not-found': 404,
  'invalid-input': 400,
};

export function errorBody(error: ApiError): ErrorBody {
  return { error: { status: error.status, code: error.code, message: error.message, details: error.details } };
}

/** body-parser's error types -> our codes (status comes from body-parser). */
const BODY_PARSER_CODES: Record<string, [code: string, message: string]> = {
  'entity.parse.failed': ['invalid_json', 'Request body is not valid JSON'],
  'entity.too.large': ['payload_too_large', 'Request body is too large'],
  'encoding.unsupported': ['unsupported_encoding', 'Unsupported content encoding'],
  'charset.unsupported': ['unsupported_charset', 'Unsupported charset'],
  'request.aborted': ['request_aborted', 'Request was aborted'],
  'request.size.invalid': ['invalid_content_length', 'Request size did not match Content-Length'],
};

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  limit?: number;
  message?: string;
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ServingError) return new ApiError(STATUS_OF_KIND[error.kind], error.code, error.message, error.details);
  const e = (error ?? {}) as HttpishError;
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const known = e.type ? BODY_PARSER_CODES[e.type] : undefined;
    if (known) {
      const [code, message] = known;
      const detail =
        e.type === 'entity.too.large' && e.limit
          ? `${message} (limit ${e.limit} bytes)`
          : e.type === 'entity.parse.failed' && e.message
            ? `${message}: ${e.message}`
            : message;
      return new ApiError(status, code, detail, e.type === 'entity.parse.failed' ? [{ field: 'body', message: e.message ?? 'invalid JSON' }] : []);
    }
    return new ApiError(status, 'bad_request', e.expose && e.message ? e.message : 'Bad request');
  }
  return new ApiError(500, 'internal_error', 'Internal server error');
}

export const errorMiddleware: ErrorRequestHandler = (error, req, res, next) => {
  if (res.headersSent) return next(error);
  const apiError = toApiError(error);
  if (apiError.status >= 500) requestLog(req).error({ err: error }, 'request failed');
  else requestLog(req).info({ code: apiError.code }, apiError.message);
  res.status(apiError.status).json(errorBody(apiError));
};

export const notFoundMiddleware: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'not_found', `No route ${req.method} ${req.path}`));
};
