import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { ApiError, type FieldProblem } from './errors.js';

/** zod issues -> one `{field, message}` per problem, the field a dot path into the body. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  return issues.flatMap((issue) => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: at ? `${at}.${key}` : key, message: `unknown field "${key}" is not allowed` }));
    }
    return [{ field: at || 'body', message: issue.message }];
  });
}

/** Parses `value` with `schema` or throws a 400 ApiError naming every invalid field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.output<S> {
  if (where === 'body' && (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new ApiError(400, 'validation_error', 'Request body must be a JSON object (Content-Type: application/json)', [
      { field: 'body', message: 'expected a JSON object' },
    ]);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = issuesToDetails(result.error.issues);
    throw new ApiError(400, 'validation_error', `Invalid ${where}: ${details.map((d) => d.field).join(', ')}`, details);
  }
  return result.data;
}

/**
 * Middleware: replaces req.body with the parsed (defaults applied) value, or fails with a 400.
 * `fast` may accept the common well-formed case without zod; it must accept only bodies the schema
 * accepts and return the same value (anything else returns undefined and goes through zod).
 */
export function validateBody<S extends z.ZodType>(schema: S, fast?: (body: unknown) => z.output<S> | undefined): RequestHandler {
  return (req, _res, next) => {
    req.body = fast?.(req.body) ?? parseOrThrow(schema, req.body);
    next();
  };
}
