import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DownloadError, downloadFile, LOCAL_COPY_HINT, networkErrorCode } from './download.js';

const body = randomBytes(200_000);
const bodySha = createHash('sha256').update(body).digest('hex');
const bodyMd5 = createHash('md5').update(body).digest('hex');

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
let server: Server;
let baseUrl: string;
let handler: Handler;
let requests: IncomingMessage[];
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req);
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = [];
  dir = mkdtempSync(join(tmpdir(), 'download-'));
});

const serveWhole: Handler = (_req, res) => {
  res.writeHead(200, { 'Content-Length': body.length });
  res.end(body);
};

/** Honours "Range: bytes=N-" like files.grouplens.org does. */
const serveRanges: Handler = (req, res) => {
  const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? NaN);
  if (!Number.isFinite(start)) return serveWhole(req, res, 0);
  res.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` });
  res.end(body.subarray(start));
};

const quick = { retries: 2, retryDelayMs: 5 };

describe('downloadFile', () => {
  it('when the server sends the file, then it lands at dest verified, with progress lines and no temp left', async () => {
    handler = serveWhole;
    const lines: string[] = [];
    const dest = join(dir, 'set.zip');
    const result = await downloadFile({
      url: `${baseUrl}/set.zip`,
      dest,
      expectedBytes: body.length,
      sha256: bodySha,
      md5: bodyMd5,
      onProgress: (l) => lines.push(l),
      ...quick,
    });
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(result).toMatchObject({ bytes: body.length, sha256: bodySha, cached: false, resumed: false, attempts: 1 });
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(lines.some((l) => /\[download\].*195\.3 KiB/.test(l))).toBe(true);
  });

  it('when dest already holds the verified file, then nothing is requested', async () => {
    handler = serveWhole;
    const dest = join(dir, 'set.zip');
    writeFileSync(dest, body);
    const result = await downloadFile({ url: `${baseUrl}/set.zip`, dest, sha256: bodySha, ...quick });
    expect(result.cached).toBe(true);
    expect(requests).toHaveLength(0);
  });

  it('when the server answers 404, then it fails at once without retrying', async () => {
    handler = (_req, res) => {
      res.writeHead(404);
      res.end('nope');
    };
    const dest = join(dir, 'set.zip');
    await expect(downloadFile({ url: `${baseUrl}/missing.zip`, dest, ...quick })).rejects.toThrow(/HTTP 404/);
    expect(requests).toHaveLength(1);
    expect(existsSync(dest)).toBe(false);
  });

  it('when the body stops short of its Content-Length every time, then it fails after the retries and dest is not created', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': body.length });
      res.write(body.subarray(0, 1000), () => res.socket?.destroy());
    };
    const dest = join(dir, 'set.zip');
    const error = await downloadFile({ url: `${baseUrl}/set.zip`, dest, sha256: bodySha, ...quick }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as Error).message).toMatch(/interrupted|ended after/);
    expect(requests).toHaveLength(3);
    expect(existsSync(dest)).toBe(false);
  });

  it('when the checksum does not match, then it throws, removes the temp file and leaves the earlier file untouched', async () => {
    handler = serveWhole;
    const dest = join(dir, 'set.zip');
    writeFileSync(dest, 'previous good file');
    const wrong = '0'.repeat(64);
    await expect(downloadFile({ url: `${baseUrl}/set.zip`, dest, sha256: wrong, ...quick })).rejects.toThrow(/does not verify: sha256/);
    expect(readFileSync(dest, 'utf8')).toBe('previous good file');
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('when the size does not match, then it throws naming both sizes', async () => {
    handler = serveWhole;
    await expect(downloadFile({ url: `${baseUrl}/set.zip`, dest: join(dir, 'set.zip'), expectedBytes: 5, ...quick })).rejects.toThrow(
      `size ${body.length} bytes, expected 5`,
    );
  });

  it('when the connection is reset once, then the retry succeeds', async () => {
    handler = (req, res, n) => (n === 1 ? req.socket.destroy() : serveWhole(req, res, n));
    const dest = join(dir, 'set.zip');
    const lines: string[] = [];
    const result = await downloadFile({ url: `${baseUrl}/set.zip`, dest, sha256: bodySha, onProgress: (l) => lines.push(l), ...quick });
    expect(result.attempts).toBe(2);
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(lines.some((l) => /retry 1\/2 in 5 ms/.test(l))).toBe(true);
  });

  it('when a partial temp file exists and the server answers 206, then it resumes with a Range request', async () => {
    handler = serveRanges;
    const dest = join(dir, 'set.zip');
    writeFileSync(`${dest}.part`, body.subarray(0, 70_000));
    const result = await downloadFile({ url: `${baseUrl}/set.zip`, dest, expectedBytes: body.length, sha256: bodySha, ...quick });
    expect(requests[0].headers.range).toBe('bytes=70000-');
    expect(result.resumed).toBe(true);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('when a transfer is cut and retried, then the retry resumes from where it stopped', async () => {
    handler = (req, res, n) => {
      if (n > 1) return serveRanges(req, res, n);
      res.writeHead(200, { 'Content-Length': body.length });
      // Cut the connection only after the client has had time to read the first part.
      res.write(body.subarray(0, 50_000), () => setTimeout(() => res.socket?.destroy(), 100));
    };
    const dest = join(dir, 'set.zip');
    const result = await downloadFile({ url: `${baseUrl}/set.zip`, dest, sha256: bodySha, ...quick });
    expect(requests[1].headers.range).toMatch(/^bytes=\d+-$/);
    expect(result).toMatchObject({ resumed: true, attempts: 2 });
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('when the server ignores Range and sends 200, then the partial is overwritten, not appended to', async () => {
    handler = serveWhole;
    const dest = join(dir, 'set.zip');
    writeFileSync(`${dest}.part`, 'junk from an older run');
    await downloadFile({ url: `${baseUrl}/set.zip`, dest, sha256: bodySha, ...quick });
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('when the host name does not resolve, then the error says it is unreachable and how to use a local copy', async () => {
    const offline = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND files.grouplens.org'), { code: 'ENOTFOUND' }) });
    };
    const error = await downloadFile({
      url: 'https://files.grouplens.org/datasets/movielens/ml-latest-small.zip',
      dest: join(dir, 'x.zip'),
      fetchImpl: offline,
      ...quick,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as Error).message).toContain('Cannot reach files.grouplens.org (ENOTFOUND)');
    expect((error as Error).message).toContain(LOCAL_COPY_HINT);
  });

  it('when nothing listens on the port, then after the retries the error still names the local-copy hint', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(downloadFile({ url: `http://127.0.0.1:${port}/x.zip`, dest: join(dir, 'x.zip'), retries: 1, retryDelayMs: 1 })).rejects.toThrow(
      /Cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\).*MOVIELENS_SOURCE=/,
    );
  });
});

describe('networkErrorCode', () => {
  it('when the code hides in an AggregateError inside the cause, then it is found', () => {
    const inner = Object.assign(new Error('x'), { code: 'ECONNREFUSED' });
    expect(networkErrorCode(new TypeError('fetch failed', { cause: new AggregateError([inner]) }))).toBe('ECONNREFUSED');
  });
});
