import { Agent } from 'node:http';
import autocannon from 'autocannon';
import { paced, quantile, sendJson } from './bench-kit';
import { cpuSeconds } from './proc-stats';

/**
 * Load generation for bench:api: closed-loop autocannon runs, an open-loop paced driver, the
 * server's CPU time per request (from /proc, robust against a busy machine) and the result table.
 */

/** autocannon's result plus the server's CPU microseconds per request. */
export type Measured = autocannon.Result & { cpuUs: number };

export interface Row {
  /** Server CPU time (user + system) per request, from /proc: robust against a busy machine. */
  cpuUsPerRequest?: number;
  target: string;
  endpoint: string;
  requests: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  note?: string;
}

export interface DriveOptions {
  /** Measured seconds (after one warm-up second). */
  duration: number;
  connections: number;
  overallRate?: number;
  /** The server process whose CPU time is reported per request. */
  serverPid?: number;
}

/** One warm-up second (JIT, caches), then `duration` seconds of autocannon over the request pool. */
export async function drive(url: string, requests: autocannon.Request[], options: DriveOptions): Promise<Measured> {
  const run = async (duration: number) => {
    const messages = new Map<string, number>();
    const result = await new Promise<autocannon.Result>((done, fail) => {
      const instance = autocannon(
        {
          url,
          connections: options.connections,
          duration,
          requests,
          ...(options.overallRate ? { overallRate: options.overallRate } : {}),
        },
        (error, res) => (error ? fail(error) : done(res)),
      );
      instance.on('reqError', (error: Error) => messages.set(error.message, (messages.get(error.message) ?? 0) + 1));
    });
    if (messages.size) console.error(`  ${requests[0].method} ${requests[0].path}: request errors ${JSON.stringify([...messages])}`);
    return result;
  };
  await run(1); // warm-up (JIT, caches)
  const cpuBefore = cpuSeconds([options.serverPid]);
  const result = await run(options.duration);
  const cpuUs = ((cpuSeconds([options.serverPid]) - cpuBefore) * 1e6) / Math.max(1, result.requests.total);
  return Object.assign(result, { cpuUs });
}

/**
 * Requests at a fixed offered rate (autocannon's overallRate/connectionRate send in bursts and report
 * the waiting time as latency, measured: p99 ~370 ms where one connection saw 3 ms): bench-kit's
 * open-loop `paced` schedule over keep-alive sockets, each latency from its scheduled send time.
 */
export async function pacedRequests(
  url: string,
  requests: autocannon.Request[],
  rate: number,
  seconds: number,
  serverPid?: number,
): Promise<Measured> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const cpuBefore = cpuSeconds([serverPid]);
  const elapsed = await paced(rate, seconds, async (i, scheduled) => {
    const r = requests[i % requests.length];
    const { status } = await sendJson(agent, url, r.method ?? 'GET', r.path ?? '/', r.body as string | undefined);
    latencies.push(performance.now() - scheduled);
    if (status === 0) errors++;
    else if (status < 200 || status >= 300) non2xx++;
  });
  agent.destroy();
  latencies.sort((x, y) => x - y);
  return {
    requests: { total: latencies.length, average: latencies.length / elapsed },
    latency: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) },
    non2xx,
    errors,
    timeouts: 0,
    cpuUs: ((cpuSeconds([serverPid]) - cpuBefore) * 1e6) / Math.max(1, latencies.length),
  } as unknown as Measured;
}

export function row(target: string, endpoint: string, result: Measured, note?: string): Row {
  return {
    cpuUsPerRequest: result.cpuUs,
    target,
    endpoint,
    requests: result.requests.total,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    note,
  };
}

/** The Markdown table: one row a measured endpoint, throughput relative to the hello-world row. */
export function printTable(rows: Row[], hello: Row | undefined): void {
  const header = ['target', 'endpoint', 'req/s', 'p50 ms', 'p99 ms', 'vs hello', 'server CPU us/req', 'non-2xx', 'errors'];
  const body = rows.map((r) => [
    r.target,
    r.endpoint,
    r.reqPerSec.toFixed(0),
    String(r.p50),
    String(r.p99),
    hello ? `${(r.reqPerSec / hello.reqPerSec).toFixed(2)}x` : '-',
    Number.isFinite(r.cpuUsPerRequest) ? (r.cpuUsPerRequest as number).toFixed(0) : '-',
    String(r.non2xx),
    String(r.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const b of body) console.log(line(b));
}
