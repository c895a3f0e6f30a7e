import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDatabase } from '@reelrank/database';
import { saveModelArtifacts } from '@reelrank/model';
import { PROCESSED_DIR, plantedBundle } from '../__fixtures__/fixtures.js';
import { openSqliteCatalog } from '@reelrank/serving';

/** The server's SQLite connection is read-only, also as seen in the running server's /proc. */

describe('SQLite opened read-only by the server', () => {
  it('when a write goes through the server catalogue connection, then SQLite refuses it and the data is unchanged', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'reelrank-ro-')), 'ro.db');
    await loadDatabase({ processedDir: PROCESSED_DIR, dbPath, dataset: 'api-fixture', log: () => undefined });
    const catalog = openSqliteCatalog(dbPath);
    try {
      const { sqlite } = catalog.connection;
      expect(sqlite.readonly).toBe(true);
      const before = catalog.allMovies();
      expect(() => sqlite.exec('DELETE FROM movies')).toThrow(/readonly/i);
      expect(() => sqlite.prepare('UPDATE movies SET title = ? WHERE movie_id = 10').run('pwned')).toThrow(/readonly/i);
      expect(() => sqlite.exec('CREATE TABLE evil (x)')).toThrow(/readonly/i);
      expect(catalog.allMovies()).toEqual(before);
    } finally {
      catalog.close();
    }
  });

  it('when the ratings were read at load, then the catalogue connection maps no part of the file (no resident pages per process)', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'reelrank-ro-')), 'ro.db');
    await loadDatabase({ processedDir: PROCESSED_DIR, dbPath, dataset: 'api-fixture', log: () => undefined });
    const catalog = openSqliteCatalog(dbPath);
    try {
      const mapped = () => catalog.connection.sqlite.pragma('mmap_size', { simple: true });
      const table = catalog.ratingTable();
      expect(table.movieIds.length).toBeGreaterThan(0);
      expect(mapped()).toBe(0);
      // Read again (a model built anew on the same connection): the same table, and still unmapped.
      expect(catalog.ratingTable()).toEqual(table);
      expect(mapped()).toBe(0);
      expect(catalog.userRatings(table.userIds[0]).length).toBe(table.offsets[1] - table.offsets[0]);
    } finally {
      catalog.close();
    }
  });

  it('when main.ts serves, then its process holds the database file open read-only (O_RDONLY in /proc)', async () => {
    if (process.platform !== 'linux') return; // /proc/<pid>/fdinfo is Linux's
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-ro-main-'));
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const dbPath = join(dataDir, 'ml-latest-small.db');
    await loadDatabase({ processedDir: PROCESSED_DIR, dbPath, dataset: 'api-fixture', log: () => undefined });
    const { model, popularity, manifest } = plantedBundle();
    const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
    saveModelArtifacts(join(dir, 'models', 'ml-latest-small'), { model, popularity, manifest: input, metricsReport: {} });

    const root = resolve(__dirname, '../../../..');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/api/src/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        REELRANK_DATASET: 'ml-latest-small',
        HOST: '127.0.0.1',
        PORT: '0',
        REELRANK_DATA_DIR: dataDir,
        REELRANK_MODELS_DIR: join(dir, 'models'),
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const url = await new Promise<string>((found, fail) => {
        const timer = setInterval(() => {
          const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
          if (match) {
            clearInterval(timer);
            found(match[1]);
          }
        }, 50);
        void exited.then(() => {
          clearInterval(timer);
          fail(new Error(`server exited: ${output}`));
        });
      });
      // The catalogue is in use: a search is answered from SQLite.
      expect(((await (await fetch(`${url}/movies/search?q=galaxy`)).json()) as { total: number }).total).toBe(1);
      const fds = readdirSync(`/proc/${child.pid}/fd`).filter((fd) => {
        try {
          return readlinkSync(`/proc/${child.pid}/fd/${fd}`) === realpathSync(dbPath);
        } catch {
          return false; // closed meanwhile
        }
      });
      expect(fds.length).toBeGreaterThan(0);
      for (const fd of fds) {
        const flags = parseInt(/^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/${child.pid}/fdinfo/${fd}`, 'utf8'))![1], 8);
        expect([fd, flags & 0o3]).toEqual([fd, 0o0]); // access mode O_RDONLY, not O_RDWR (2)
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 30_000);
});
