import { createWriteStream, existsSync, renameSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createProgress, hashFile } from '@reelrank/artifacts';

export type FetchLike = (url: string, init?: { headers?: Record<string, string>; signal?: AbortSignal }) => Promise<Response>;

export interface DownloadOptions {
  url: string;
  dest: string;
  expectedBytes?: number | null;
  sha256?: string | null;
  md5?: string | null;
  /** Extra attempts after the first one for transient failures (resets, 5xx, truncated bodies). */
  retries?: number;
  /** First back-off delay; doubles after each failed attempt. */
  retryDelayMs?: number;
  /** Abort an attempt when no byte arrives for this long. */
  idleTimeoutMs?: number;
  /** Receives progress lines (bytes, rate, ETA). */
  onProgress?: (line: string) => void;
  fetchImpl?: FetchLike;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
  /** True when an existing file at `dest` already matched the checksum. */
  cached: boolean;
  /** True when the last attempt continued a partial file with an HTTP Range request. */
  resumed: boolean;
  attempts: number;
}

export const LOCAL_COPY_HINT = 'MOVIELENS_SOURCE=/path/to/ml-latest-small npm start';

export class DownloadError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly retryable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DownloadError';
  }
}

// Codes that mean "the network or the host is not there", as opposed to a broken transfer.
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** The system error code hidden in fetch's `TypeError: fetch failed` (cause, or an AggregateError inside it). */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const record = current as { code?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof record.code === 'string' && record.code !== 'ERR_INVALID_STATE') return record.code;
    current = record.cause ?? record.errors?.[0];
  }
  return undefined;
}

function unreachableError(url: string, code: string, cause: unknown): DownloadError {
  const host = new URL(url).host;
  return new DownloadError(
    `Cannot reach ${host} (${code}) to download ${url}. If you are offline, point the pipeline at a local copy ` +
      `(an unzipped folder or the zip): ${LOCAL_COPY_HINT}`,
    url,
    false,
    { cause },
  );
}

/** Turns whatever an attempt threw into a DownloadError that says whether a retry can help. */
function classify(url: string, error: unknown): DownloadError {
  if (error instanceof DownloadError) return error;
  const code = networkErrorCode(error);
  if (code && UNREACHABLE_CODES.has(code)) {
    // A name that does not resolve will not resolve in two seconds either; fail fast.
    const err = unreachableError(url, code, error);
    return new DownloadError(err.message, url, code !== 'ENOTFOUND', { cause: error });
  }
  const reason = code ?? (error as Error)?.message ?? String(error);
  return new DownloadError(`Download of ${url} was interrupted (${reason})`, url, true, { cause: error });
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function verify(path: string, options: DownloadOptions): Promise<{ ok: true; sha256: string } | { ok: false; why: string }> {
  const bytes = sizeOf(path);
  if (options.expectedBytes != null && bytes !== options.expectedBytes) {
    return { ok: false, why: `size ${bytes} bytes, expected ${options.expectedBytes}` };
  }
  const sha = await hashFile(path, 'sha256');
  if (options.sha256 && sha !== options.sha256.toLowerCase()) return { ok: false, why: `sha256 ${sha}, expected ${options.sha256}` };
  if (options.md5) {
    const md5 = await hashFile(path, 'md5');
    if (md5 !== options.md5.toLowerCase()) return { ok: false, why: `md5 ${md5}, expected ${options.md5}` };
  }
  return { ok: true, sha256: sha };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One HTTP request writing into `part`, continuing it with a Range request when it already has bytes. */
async function attempt(options: DownloadOptions, part: string, fetchImpl: FetchLike): Promise<{ resumed: boolean }> {
  const { url } = options;
  let have = sizeOf(part);
  if (options.expectedBytes != null && have >= options.expectedBytes) {
    rmSync(part, { force: true }); // a complete-looking part that failed verification earlier; start over
    have = 0;
  }
  const controller = new AbortController();
  const idleMs = options.idleTimeoutMs ?? 30_000;
  let timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  };
  try {
    const headers: Record<string, string> = have > 0 ? { Range: `bytes=${have}-` } : {};
    const response = await fetchImpl(url, { headers, signal: controller.signal });
    if (response.status === 416 && have > 0) {
      rmSync(part, { force: true });
      throw new DownloadError(`Server refused to resume ${url}; restarting`, url, true);
    }
    if (response.status >= 500 || response.status === 429) {
      throw new DownloadError(`HTTP ${response.status} ${response.statusText} from ${url}`, url, true);
    }
    if (response.status !== 200 && response.status !== 206) {
      throw new DownloadError(`HTTP ${response.status} ${response.statusText} from ${url}`, url, false);
    }
    let resumed = false;
    if (response.status === 206) {
      const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
      if (Number(start) !== have) {
        rmSync(part, { force: true });
        throw new DownloadError(`Server resumed ${url} at the wrong offset; restarting`, url, true);
      }
      resumed = true;
    } else {
      have = 0; // a 200 is the whole file, whatever we asked for
    }
    if (!response.body) throw new DownloadError(`Empty response body from ${url}`, url, true);
    const length = Number(response.headers.get('content-length') ?? NaN);
    const total = options.expectedBytes ?? (Number.isFinite(length) ? have + length : undefined);
    const progress = createProgress({ label: 'download', total, unit: 'bytes', write: options.onProgress ?? (() => {}) });
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        touch();
        progress.update(have + received);
        callback(null, chunk);
      },
    });
    mkdirSync(dirname(part), { recursive: true });
    await pipeline(
      Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>),
      counter,
      createWriteStream(part, { flags: resumed ? 'a' : 'w' }),
    );
    if (Number.isFinite(length) && received !== length) {
      throw new DownloadError(`Download of ${url} ended after ${received} of ${length} bytes`, url, true);
    }
    progress.done(`${have + received} bytes${resumed ? ` (resumed at ${have})` : ''}`);
    return { resumed };
  } finally {
    clearTimeout(timer);
  }
}

async function fetchWithRetries(options: DownloadOptions, part: string): Promise<{ resumed: boolean; attempts: number }> {
  const fetchImpl: FetchLike = options.fetchImpl ?? ((url, init) => fetch(url, init));
  const retries = options.retries ?? 3;
  const baseDelay = options.retryDelayMs ?? 1000;
  for (let attemptNo = 0; ; attemptNo += 1) {
    try {
      const { resumed } = await attempt(options, part, fetchImpl);
      return { resumed, attempts: attemptNo + 1 };
    } catch (raw) {
      const error = classify(options.url, raw);
      if (!error.retryable || attemptNo >= retries) {
        const code = networkErrorCode(raw);
        // After the last retry an unreachable host still gets the "use a local copy" message.
        if (code && UNREACHABLE_CODES.has(code)) throw unreachableError(options.url, code, raw);
        throw error;
      }
      const delay = baseDelay * 2 ** attemptNo;
      options.onProgress?.(`[download] ${error.message}; retry ${attemptNo + 1}/${retries} in ${delay} ms`);
      await sleep(delay);
    }
  }
}

/**
 * Downloads `url` to `dest`: streams into `dest.part` (kept between runs so a later run resumes it
 * with a Range request), retries transient failures with exponential back-off, verifies size and
 * checksums, and only then renames into place, so `dest` is either the old file or a verified new one.
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const { url, dest } = options;
  if (existsSync(dest) && (options.sha256 || options.md5)) {
    const check = await verify(dest, options);
    if (check.ok) return { path: dest, bytes: sizeOf(dest), sha256: check.sha256, cached: true, resumed: false, attempts: 0 };
  }
  const part = `${dest}.part`;
  let { resumed, attempts } = await fetchWithRetries(options, part);
  let check = await verify(part, options);
  if (!check.ok && resumed) {
    // The kept partial may come from an older version of the file: one clean download before giving up.
    rmSync(part, { force: true });
    const again = await fetchWithRetries(options, part);
    resumed = again.resumed;
    attempts += again.attempts;
    check = await verify(part, options);
  }
  if (!check.ok) {
    rmSync(part, { force: true });
    throw new DownloadError(`Downloaded ${url} does not verify: ${check.why}; the file was discarded`, url, false);
  }
  renameSync(part, dest);
  return { path: dest, bytes: sizeOf(dest), sha256: check.sha256, cached: false, resumed, attempts };
}
