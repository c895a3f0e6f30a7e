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
