import { createServer, type AddressInfo } from 'node:net';

/** `--name=value` / `--flag` command-line options of the benchmark scripts. */
export function parseFlags(argv = process.argv.slice(2)): Record<string, string> {
  return Object.fromEntries(
    argv.map((a) => {
      const [k, v] = a.replace(/^--/, '').split('=');
      return [k, v ?? 'true'];
    }),
  );
}

/** A TCP port that was free a moment ago on 127.0.0.1 (for child servers that need a fixed one). */
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
