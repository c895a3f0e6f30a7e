import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import pino, { type Logger } from 'pino';

/**
 * Lean replacements on the hot path, each measured (tools/bench-api.ts):
 *
 * requestLogging: pino-http builds a child logger per request and serialises the request into
 * its bindings even when nothing is logged. Here every request gets its id (echoed in
 * x-request-id); requestLog(req) is a child logger bound to `reqId`, created only when something
 * logs; one "request completed" line per request is written when the level is info.
 *
 * fastJson: the common case of express.json() - `Content-Type: application/json` (utf-8), no
 * Content-Encoding, a Content-Length within the limit - read and parsed directly; every other
 * request (no or other content type, compressed, chunked, oversized, other charset) goes to
 * express.json(), so 413/415/400 keep body-parser's exact behaviour. A syntax error, or a top-level
 * value that is not an object or array (body-parser's strict mode), is passed on as body-parser's
 * 'entity.parse.failed' 400.
 */

/**
 * Middlewares run one after another as a single Express layer: what every request passes through
 * costs one router step instead of one per middleware. A middleware's error (thrown or passed to
 * next) skips the rest and goes to Express's error handling, as it would between layers.
 */
export function series(handlers: readonly RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let index = 0;
    const step = (error?: unknown): void => {
      if (error) return next(error);
      const handler = handlers[index++];
      if (!handler) return next();
      try {
        const returned: unknown = handler(req, res, step);
        if (returned instanceof Promise) returned.catch(next);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}

const REQUEST_ID = /^[\w.:@-]{1,128}$/;

/** A client's x-request-id is kept when it looks sane, otherwise a UUID; either way echoed back. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

const BASE_LOGGER = Symbol('reelrank.logger');
const CHILD_LOGGER = Symbol('reelrank.requestLogger');
type LoggerLocals = { [BASE_LOGGER]?: Logger; [CHILD_LOGGER]?: Logger };
/** Express's per-request `res.locals` (a prototype-less map), where the request's own state lives. */
type WithLocals = IncomingMessage & { res?: ServerResponse & { locals?: Record<symbol, unknown> } };

/**
 * Per-request state is kept in `res.locals`, never as new properties of the request or response:
 * growing those objects per request measurably slowed everything Node does with them afterwards.
 */
function localsOf(req: IncomingMessage): Record<symbol, unknown> | undefined {
  return (req as WithLocals).res?.locals;
}

/**
 * The request's logger: a child of the app's logger bound to its request id, created on first use
 * (assigning a getter or a child per request cost ~25 us of CPU per request, measured).
 */
export function requestLog(req: IncomingMessage): Logger {
  const locals = localsOf(req) as LoggerLocals | undefined;
  if (!locals) return FALLBACK_LOGGER;
  let child = locals[CHILD_LOGGER];
  if (!child) {
    const base = locals[BASE_LOGGER];
    if (!base) return FALLBACK_LOGGER;
    child = locals[CHILD_LOGGER] = base.child({ reqId: (req as WithLocals).res?.getHeader('x-request-id') });
  }
  return child;
}

const FALLBACK_LOGGER = pino({ level: 'silent' });

export function requestLogging(logger: Logger): RequestHandler {
  const logEach = logger.isLevelEnabled('info');
  return (req, res, next) => {
    requestId(req, res);
    (res.locals as LoggerLocals)[BASE_LOGGER] = logger;
    if (logEach) {
      const started = performance.now();
      res.once('finish', () => {
        const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
        requestLog(req)[level](
          {
            req: { method: req.method, url: req.originalUrl ?? req.url },
            res: { statusCode: res.statusCode },
            responseTime: Math.round((performance.now() - started) * 1000) / 1000,
          },
          'request completed',
        );
      });
    }
    next();
  };
}

/** CORS for one fixed origin list: simple requests get static headers; preflights go to `cors`. */
export function fastCors(origins: string[], full: RequestHandler): RequestHandler {
  if (!origins.includes('*')) return full;
  return (req, res, next) => {
    if (req.method === 'OPTIONS') {
      full(req, res, next);
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'x-request-id');
    next();
  };
}

interface ParseFailure extends Error {
  status: number;
  statusCode: number;
  type: string;
  expose: boolean;
  body: string;
}

function parseFailure(message: string, body: string): ParseFailure {
  return Object.assign(new SyntaxError(message), { status: 400, statusCode: 400, type: 'entity.parse.failed', expose: true, body });
}

const JSON_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

const BODY = Symbol('reelrank.body');

/** A body being read: its parts, and where the request goes once it is settled. */
interface BodyRead {
  chunks: Buffer[];
  received: number;
  length: number;
  settled: boolean;
  next: (error?: unknown) => void;
}
type Reading = IncomingMessage & { body?: unknown };
const bodyRead = (req: Reading) => localsOf(req)?.[BODY] as BodyRead;

// The stream calls its listeners with `this` = the request: shared functions, no closures per request.
function onBodyData(this: Reading, chunk: Buffer): void {
  const read = bodyRead(this);
  read.received += chunk.length;
  read.chunks.push(chunk);
}

function onBodyEnd(this: Reading): void {
  const read = bodyRead(this);
  if (read.settled) return;
  read.settled = true;
  const { chunks, received, length, next } = read;
  if (received !== length) {
    next(
      Object.assign(new Error('request size did not match content length'), {
        status: 400,
        statusCode: 400,
        type: 'request.size.invalid',
        expose: true,
      }),
    );
    return;
  }
  const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received)).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    next(parseFailure((error as Error).message, text));
    return;
  }
  if (typeof value !== 'object' || value === null) {
    next(parseFailure(`Unexpected token in JSON at position 0 (strict mode: an object or array is required)`, text));
    return;
  }
  this.body = value;
  next();
}

function onBodyError(this: Reading, error: Error): void {
  const read = bodyRead(this);
  if (read.settled) return;
  read.settled = true;
  this.off('data', onBodyData);
  read.next(Object.assign(error, { status: 400, statusCode: 400, type: 'request.aborted', expose: true }));
}

export function fastJson(limitBytes: number, fallback: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const type = req.headers['content-type'];
    const lengthHeader = req.headers['content-length'];
    const length = lengthHeader === undefined ? Number.NaN : Number(lengthHeader);
    if (
      req.method !== 'POST' ||
      type === undefined ||
      !(length > 0 && length <= limitBytes) ||
      req.headers['content-encoding'] !== undefined ||
      !(type === 'application/json' || JSON_TYPE.test(type))
    ) {
      fallback(req, res, next);
      return;
    }
    // One of 'end' and 'error' settles the body. The listeners stay attached after it: a message that
    // ended emits nothing more, and removing a 'data' listener costs the stream a tick per request.
    (res.locals as Record<symbol, unknown>)[BODY] = { chunks: [], received: 0, length, settled: false, next } satisfies BodyRead;
    req.on('data', onBodyData);
    req.on('end', onBodyEnd);
    req.on('error', onBodyError);
  };
}

/**
 * What res.json(body) answers for a JSON body (status, `Content-Type: application/json;
 * charset=utf-8`, Content-Length, the body), without Express's per-call content-type parsing and
 * charset rewriting: the hot routes answer with it.
 */
export function sendJson(res: ServerResponse, body: unknown, status = 200): void {
  sendText(res, JSON.stringify(body), status);
}

/** sendJson for a body already serialised to JSON text. */
export function sendText(res: ServerResponse, text: string, status = 200): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

/** "100kb" / "1mb" / "512b" -> bytes (the config's bodyLimit format). */
export function parseByteLimit(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit.trim());
  if (!match) throw new Error(`invalid byte limit "${limit}"`);
  const unit = match[2].toLowerCase();
  return Number(match[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}
