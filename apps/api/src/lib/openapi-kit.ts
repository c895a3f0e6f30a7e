import { z } from 'zod';

/**
 * The pieces every OpenAPI path module builds with (openapi.ts, rating-openapi.ts, model-openapi.ts): zod schema to
 * JSON Schema, parameters, `$ref` content, the shared error responses and the path items of a public GET or a JSON POST.
 * Request bodies are converted as zod *input* (defaulted fields optional), responses as *output*.
 */

export type JsonObject = Record<string, unknown>;

export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

/** One OpenAPI parameter per field of a zod object schema (query strings and path segments). */
export function parameters(schema: z.ZodObject, where: 'query' | 'path'): JsonObject[] {
  const json = jsonSchema(schema, 'input') as { properties: Record<string, JsonObject>; required?: string[] };
  return Object.entries(json.properties).map(([name, property]) => {
    const { description, example, ...rest } = property;
    return { name, in: where, required: where === 'path' || (json.required ?? []).includes(name), description, example, schema: rest };
  });
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (name: string, example?: unknown) => ({
  'application/json': { schema: ref(name), ...(example === undefined ? {} : { example }) },
});
/** A response whose body is the component `name` (with an example when given). */
export const jsonResponse = (description: string, name: string, example?: unknown) => ({ description, content: json(name, example) });
export const errorResponse = (description: string, status: number, code: string, message: string, field?: string) => ({
  description,
  content: json('Error', { error: { status, code, message, details: field ? [{ field, message: 'Too small: expected number to be >0' }] : [] } }),
});

// Declarative, deliberately alike: one errorResponse call per shared error of the document (the longer ones broken over lines
// by Prettier alike); the logic is errorResponse's, once.
export const badRequest = errorResponse(
  'Malformed JSON or an invalid field (each one named in details)',
  400,
  'validation_error',
  'Invalid body: user_id',
  'user_id',
);
export const tooLarge = errorResponse('Body larger than the configured limit', 413, 'payload_too_large', 'Request body is too large');
/** Every route parses a JSON body when one is sent; the routes that take none can still answer this. */
export const unexpectedBody = errorResponse(
  'A request body was sent (these routes take none) and it is not valid JSON',
  400,
  'invalid_json',
  'Request body is not valid JSON',
);
export const movieNotFound = errorResponse('A movie_id is not in the catalogue', 404, 'movie_not_found', 'Movie 999999 is not in the catalogue');
// Declarative like badRequest above: one call per shared error.
export const notReady = errorResponse(
  'No model is loaded yet (the server is starting)',
  503,
  'model_not_ready',
  'No model is loaded yet; retry shortly (see GET /ready)',
);
/** Authentication failures (access-table.ts): no credentials where they are needed, or a wrong or revoked key (never anonymous). */
export const unauthorized = errorResponse(
  'No credentials, or an unknown or revoked key, or an invalid visitor cookie',
  401,
  'unauthorized',
  'unknown or revoked API key',
);
export const forbidden = errorResponse(
  "Credentials that may not do this (a visitor and another user's id, a key of a lower role)",
  403,
  'forbidden',
  'This route needs an admin key (or REELRANK_ADMIN_TOKEN)',
);
/** A per-identity budget (config `identity.limits`) spent: the request was refused whole; Retry-After says when to retry. */
export const rateLimited = {
  ...errorResponse(
    "Over one of the caller's budgets (ratings written, new users started, ratings folded in); nothing was done",
    429,
    'rate_limited',
    'Too many ratings folded in (200/s, 2000 at once) by this client; retry in 3 s',
  ),
  headers: { 'Retry-After': { description: 'Seconds until the request can pass', schema: { type: 'integer', minimum: 1 } } },
};

/** No credentials needed (`security: []`); the access table (access-table.ts) sets every listed operation's own. */
export const PUBLIC: unknown[] = [];

/** A public operation; `description` and `parameters` only when given (keys in the document's order). */
export function publicOperation(
  operationId: string,
  summary: string,
  responses: JsonObject,
  more: { description?: string; parameters?: JsonObject[] },
) {
  return {
    operationId,
    security: PUBLIC,
    summary,
    ...(more.description === undefined ? {} : { description: more.description }),
    ...(more.parameters === undefined ? {} : { parameters: more.parameters }),
    responses,
  };
}

/** The path item of a public GET. */
export function publicGet(
  operationId: string,
  summary: string,
  responses: JsonObject,
  more: { description?: string; parameters?: JsonObject[] } = {},
) {
  return { get: publicOperation(operationId, summary, responses, more) };
}

/** The path item of a public POST taking the JSON body `request` and answering `response` (200), 400, 413 and 503 (and `extra`). */
export function post(
  operationId: string,
  summary: string,
  description: string,
  request: string,
  response: string,
  example: unknown,
  extra: JsonObject = {},
) {
  return {
    post: {
      operationId,
      summary,
      description,
      security: PUBLIC,
      requestBody: { required: true, content: json(request) },
      responses: { '200': jsonResponse('OK', response, example), '400': badRequest, ...extra, '413': tooLarge, '503': notReady },
    },
  };
}
