import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * The security headers, computed once (they do not depend on the request) and set with one call.
 *
 * JSON answers (every API route, its errors and 404s) carry the set the OWASP REST Security Cheat
 * Sheet gives for APIs: nothing in them is a document to render, frame, sniff or cache, so the
 * policy forbids all of it (`default-src 'none'`, `frame-ancestors 'none'`, `no-store`).
 *
 * Pages (the web page, the dashboard, Swagger UI) carry helmet()'s full set instead: the CSP that
 * lets them load their own scripts and styles, and the browser isolation headers. A page served
 * without them would get the API's policy, which blocks its scripts: the failure is visible, never
 * a weaker policy.
 */

/** Name-value pairs, set one by one: iterating a `Headers` object sorts and copies its list on every call. */
type HeaderList = ReadonlyArray<readonly [string, string]>;

const API_HEADERS: HeaderList = [
  ['cache-control', 'no-store'],
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
  ['cross-origin-resource-policy', 'same-origin'],
  ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
];

function setAll(res: ServerResponse, headers: HeaderList): void {
  for (const [name, value] of headers) res.setHeader(name, value);
}

/** helmet()'s headers, captured by running it once against a response that records them. */
function helmetHeaders(): HeaderList {
  const captured = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => captured.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => captured.delete(name.toLowerCase()),
    getHeader: (name: string) => captured.get(name.toLowerCase()),
  };
  let synchronous = false;
  helmet()({ headers: {}, method: 'GET', url: '/' } as never, recorder as never, () => (synchronous = true));
  if (!synchronous) throw new Error('helmet() did not set its headers synchronously');
  return [...captured];
}

const PAGE_HEADERS = helmetHeaders();

/** Sets the API's headers: the front of every request (a page replaces them with setPageHeaders). */
export const apiHeaders: RequestHandler = (_req, res, next) => {
  setAll(res, API_HEADERS);
  next();
};

/** Replaces the API's headers with a page's (and drops the API's `cache-control`: the file server sets its own). */
export function setPageHeaders(res: ServerResponse): void {
  res.removeHeader('cache-control');
  setAll(res, PAGE_HEADERS);
}

/** Middleware form of setPageHeaders, in front of the routes that serve pages. */
export const pageHeaders: RequestHandler = (_req, res, next) => {
  setPageHeaders(res);
  next();
};
