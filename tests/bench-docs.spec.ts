import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drawBenchDocs, staleBenchDocs } from '../tools/bench-charts';
import { benchRecord } from '../tools/lib/bench-record';

/** docs/benchmarks.md and its charts are drawn from the benchmarks' result files, and must match them. */
describe('benchmark charts', () => {
  it('when the repository is checked, then every chart and the page match the result files they were drawn from', async () => {
    expect(await staleBenchDocs()).toEqual([]);
  });

  it('when a result file changes after drawing, then its charts and the page are out of date until drawn again', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'bench-docs-'));
    try {
      const dir = join(folder, 'benchmarks');
      const page = join(folder, 'benchmarks.md');
      const rows = [
        { target: 'express hello-world', endpoint: 'GET /', reqPerSec: 9000, p50: 0, p99: 4, cpuUsPerRequest: 110, non2xx: 0, errors: 0 },
        { target: 'api', endpoint: 'POST /predict', reqPerSec: 6500, p50: 1, p99: 7, cpuUsPerRequest: 150, non2xx: 0, errors: 0 },
      ];
      const write = (reqPerSec: number) => {
        const record = benchRecord('api', 'npm run bench:api -- --record', { rows: [rows[0], { ...rows[1], reqPerSec }], notes: [] });
        writeFileSync(join(dir, 'api.json'), `${JSON.stringify(record, null, 2)}\n`);
      };
      mkdirSync(dir);
      write(6500);
      expect(await staleBenchDocs(dir, page)).toEqual([join(dir, 'api-throughput.svg'), join(dir, 'api-latency.svg'), page]);
      await drawBenchDocs(dir, page);
      expect(await staleBenchDocs(dir, page)).toEqual([]);
      const svg = readFileSync(join(dir, 'api-throughput.svg'), 'utf8');
      expect(svg).toMatch(/^<svg data-sources-sha256="[0-9a-f]{64}"/);
      expect(svg).toContain('0.72x');
      expect(readFileSync(page, 'utf8')).toContain('| api                 | POST /predict | 6500');
      write(7000);
      expect(await staleBenchDocs(dir, page)).toEqual([join(dir, 'api-throughput.svg'), join(dir, 'api-latency.svg'), page]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('when ingest records of two sizes are drawn, then one chart shows each store against its import tool, smaller set first, with the ratios', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'bench-docs-'));
    try {
      const dir = join(folder, 'benchmarks');
      const page = join(folder, 'benchmarks.md');
      mkdirSync(dir);
      const ingest = (name: string, ratings: number, postgres: boolean) =>
        writeFileSync(
          join(dir, `ingest-${name}.json`),
          `${JSON.stringify(
            benchRecord(`ingest-${name}`, `npm run bench:ingest -- --record`, {
              shape: { ratings, users: 10, movies: 10 },
              ingestSeconds: 8,
              sqlite: { loadSeconds: 12, importSeconds: 25 },
              postgres: postgres ? { loadSeconds: 22, copySeconds: 30 } : null,
              phases: [],
            }),
            null,
            2,
          )}\n`,
        );
      ingest('32m', 32_000_204, false);
      ingest('20m', 20_000_263, true);
      expect(await staleBenchDocs(dir, page)).toEqual([join(dir, 'ingest-load.svg'), page]);
      await drawBenchDocs(dir, page);
      const svg = readFileSync(join(dir, 'ingest-load.svg'), 'utf8');
      expect(svg).toContain('20.0 s (0.80x)');
      expect(svg).toContain('30.0 s (1.00x)');
      const text = readFileSync(page, 'utf8');
      expect(text.indexOf('| 20,000,263 ratings | SQLite')).toBeGreaterThan(0);
      expect(text.indexOf('| 20,000,263 ratings | SQLite')).toBeLessThan(text.indexOf('| 32,000,204 ratings | SQLite'));
      expect(text).toMatch(/\| 20,000,263 ratings \| PostgreSQL \| 30\.0 +\| psql \\+copy 30\.0 +\| 1\.00x \|/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
