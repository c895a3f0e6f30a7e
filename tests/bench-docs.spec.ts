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
});
