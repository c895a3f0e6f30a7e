import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { getAllMovies, openDatabase } from '@reelrank/database';
import { loadModelArtifacts } from '@reelrank/model';

/** `--name=value` / `--flag` command-line options of the load benchmarks (node:util parseArgs; a bare flag is 'true'). */
export function parseFlags(args = process.argv.slice(2)): Record<string, string> {
  const { values } = parseArgs({ args, strict: false, allowPositionals: false });
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)]));
}

/** A TCP port that was free a moment ago on 127.0.0.1 (for child servers that need a fixed one). */
/** A positive integer flag (`_` and `,` allowed as separators), or `fallback` when the flag is absent. */
export function positiveIntFlag(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer (got "${text}")`);
  return value;
}

export function freePort(): Promise<number> {
  return new Promise((found, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => found(port));
    });
  });
}

/** User ids of a trained model and movie ids of its catalogue: what the load generators pick from. */
export function idsFromArtifacts(dbPath: string, modelDir: string): { userIds: Int32Array; movieIds: Int32Array } {
  const conn = openDatabase(dbPath, { readonly: true });
  try {
    return { userIds: loadModelArtifacts(modelDir).model.userIds, movieIds: Int32Array.from(getAllMovies(conn), (m) => m.movieId) };
  } finally {
    conn.close();
  }
}

/**
 * Open-loop pacing at a fixed offered rate: task i starts at its scheduled time (start + i/rate)
 * whatever the server's speed, so a slow answer cannot hold the next request back (no coordinated
 * omission); a task measures its latency from `scheduled`. Resolves with the seconds from the
 * first scheduled start until every task settled.
 */
export async function paced(rate: number, seconds: number, task: (i: number, scheduled: number) => Promise<void>): Promise<number> {
  const total = Math.round(rate * seconds);
  const start = performance.now() + 20;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = start + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(task(i, scheduled));
  }
  await Promise.all(inflight);
  return (performance.now() - start) / 1000;
}

/** One HTTP request with a JSON body over `agent` (keep-alive sockets); never rejects: a socket error is status 0. */
export function sendJson(
  agent: Agent,
  url: string,
  method: string,
  path: string,
  body?: string,
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: IncomingHttpHeaders }> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const headers: Record<string, string | number> = {
      ...extraHeaders,
      ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
    };
    const req = httpRequest({ hostname, port, agent, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', (error) => done({ status: 0, text: error.message, headers: {} }));
    req.end(body);
  });
}

/** The p-quantile (0..1) of ascending `sorted`, rounded to 0.1 (NaN when empty). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 10) / 10;
}

/** A Markdown table: header row, separator, body rows (cells padded to the column width). */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}
