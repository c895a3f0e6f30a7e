import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drawBenchDocs, staleBenchDocs } from '../tools/bench-charts';
import { benchRecord, writeBenchRecord, type BenchRecord } from '../tools/lib/bench-record';
import { TRAIN_STAGE_TIMED } from '../tools/lib/train-record';

/** A result file in `dir` as a benchmark's --record writes it (writeBenchRecord), without its console line. */
function recordIn(dir: string, record: Pick<BenchRecord<unknown>, 'benchmark'>): void {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    writeBenchRecord(record as BenchRecord<unknown>, dir);
  } finally {
    log.mockRestore();
  }
}

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
        recordIn(dir, record);
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
        recordIn(
          dir,
          benchRecord(`ingest-${name}`, `npm run bench:ingest -- --record`, {
            shape: { ratings, users: 10, movies: 10 },
            ingestSeconds: 8,
            sqlite: { loadSeconds: 12, importSeconds: 25 },
            postgres: postgres ? { loadSeconds: 22, copySeconds: 30 } : null,
            phases: [],
          }),
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

  it('when train stages and Surprise figures are drawn, then the time and memory charts show each with what it timed, and the page names where the Surprise figures come from', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'bench-docs-'));
    try {
      const dir = join(folder, 'benchmarks');
      const page = join(folder, 'benchmarks.md');
      mkdirSync(dir);
      const train = (label: string, ratings: number, seconds: number) =>
        recordIn(
          dir,
          benchRecord(`train-${label}`, `npm run bench:pipeline -- --record`, {
            data: label,
            ratings,
            users: 610,
            movies: 9656,
            timed: TRAIN_STAGE_TIMED,
            trainStage: { seconds, cpuSeconds: seconds * 1.25, peakRssBytes: 0.5 * 1024 ** 3 },
            loadAverage: { before: 1.04, after: 2.5 },
            steps: { total: { wall: seconds - 5, cpu: seconds } },
            ratingModel: 'SVD++ (SGD)',
            factors: 250,
            epochsRun: 30,
            test: { k: 10, rmse: 0.8292, precision: 0.1065, ndcg: 0.1768 },
          }),
        );
      train('n1000000', 1_000_000, 41.25);
      train('ml-latest-small', 100_836, 9.6);
      const surprise = {
        benchmark: 'surprise-train',
        command: 'python3 tools/peers/surprise-train.py --ratings CSV',
        date: '2026-12-03',
        source: 'measured elsewhere',
        machine: { cpus: 2 },
        results: {
          rows: [
            {
              data: 'ml-latest-small, 80% train part',
              ratings: 80669,
              approximate: { ratings: '80% of 100,836' },
              algorithm: 'SVD',
              factors: 100,
              epochs: 20,
              timed: 'SVD fit alone',
              fitSeconds: 0.91,
              source: 'measured elsewhere, not re-run here',
              command: 'python3 tools/peers/surprise-train.py --ratings ml-latest-small/ratings.csv --test-size 0.2',
              date: '2026-12-03',
            },
            {
              data: 'synthetic, ml-20m shape',
              ratings: 20_000_263,
              approximate: { totalSeconds: 'reported as ~229 s' },
              algorithm: 'SVD',
              factors: 64,
              epochs: 20,
              timed: 'reading the CSV, building the trainset and 20 epochs',
              totalSeconds: 229,
              peakRssGiB: 7.2,
              source: 'measured elsewhere, not re-run here',
              command: 'python3 tools/peers/surprise-train.py --ratings SYNTHETIC_20M/ratings.csv --factors 64 --epochs 20',
              date: '2026-12-03',
            },
          ],
        },
      };
      recordIn(dir, surprise);
      expect(await staleBenchDocs(dir, page)).toEqual([join(dir, 'train-time.svg'), join(dir, 'train-memory.svg'), page]);
      await drawBenchDocs(dir, page);
      expect(await staleBenchDocs(dir, page)).toEqual([]);

      const time = readFileSync(join(dir, 'train-time.svg'), 'utf8');
      for (const text of [
        'reelrank: the whole train stage through Nx (tuning, evaluation, gate, saving)',
        'Surprise SVD: the fit alone',
        'Surprise SVD: reading the CSV + trainset + the fit',
        '9.60 s',
        '41.3 s',
        '0.91 s (k 100, 20 epochs)',
        '~229.0 s (k 64, 20 epochs)',
        'Wall seconds (log scale, lower is better)',
        'Ratings (log scale)',
      ])
        expect(time).toContain(text);
      const memory = readFileSync(join(dir, 'train-memory.svg'), 'utf8');
      expect(memory).toContain('0.50 GiB');
      expect(memory).toContain("reelrank: the train stage's largest process");
      expect(memory).toContain('7.2 GiB (k 64, 20 epochs)');
      expect(memory).not.toContain('0.91 s');

      const text = readFileSync(page, 'utf8');
      expect(text).toContain('![Train time by size against Surprise](benchmarks/train-time.svg)');
      expect(text).toContain(
        '- Surprise SVD on synthetic, ml-20m shape: measured elsewhere, not re-run here, 2026-12-03; `python3 tools/peers/surprise-train.py --ratings SYNTHETIC_20M/ratings.csv --factors 64 --epochs 20`',
      );
      // Smallest first: the Surprise fit on 80,669 ratings, the stage on 100,836, then the larger sets.
      const rows = ['| ml-latest-small, 80% train part', '| ml-latest-small ', '| n1000000', '| synthetic, ml-20m shape'].map((row) =>
        text.indexOf(row),
      );
      expect(rows.every((at) => at > 0)).toBe(true);
      expect([...rows].sort((a, b) => a - b)).toEqual(rows);
      expect(text).toMatch(/\| ~80,669 +\| Surprise SVD, k 100, 20 epochs/);
      expect(text).toMatch(
        /\| n1000000 +\| 1,000,000 +\| reelrank, SVD\+\+ \(SGD\) k 250 \+ ranker +\| whole train stage +\| 41\.3 +\| 51\.6 +\| 1\.0 → 2\.5 +\| 0\.50 /,
      );

      train('n1000000', 1_000_000, 40);
      expect(await staleBenchDocs(dir, page)).toEqual([join(dir, 'train-time.svg'), join(dir, 'train-memory.svg'), page]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
