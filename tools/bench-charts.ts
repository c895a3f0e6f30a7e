/**
 * `npm run bench:charts [-- --check]`: draws docs/benchmarks.md and its SVG charts from the result
 * files the benchmarks wrote (docs/benchmarks/*.json, each benchmark's `--record`), with the
 * report package's chart code. `--check` draws nothing and exits 1 naming every chart or page that
 * no longer matches its result files (the test suite runs the same check).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@reelrank/artifacts';
import { accessibleSvg, renderSpecToSvg } from '@reelrank/report';
import { benchCharts, benchPage, drawnFrom } from './lib/bench-docs';
import { BENCH_RECORDS_DIR } from './lib/bench-record';
import { WORKSPACE_ROOT } from './lib/processes';

const PAGE = join(WORKSPACE_ROOT, 'docs', 'benchmarks.md');

/** What is out of date: charts drawn from other figures (or missing), and the page. */
export async function staleBenchDocs(dir = BENCH_RECORDS_DIR, page = PAGE): Promise<string[]> {
  const stale: string[] = [];
  for (const chart of benchCharts(dir)) {
    const file = join(dir, `${chart.id}.svg`);
    if (!existsSync(file) || drawnFrom(readFileSync(file, 'utf8')) !== chart.sourceHash) stale.push(file);
  }
  const expected = benchPage(dir);
  if (!existsSync(page) || readFileSync(page, 'utf8') !== expected) stale.push(page);
  return stale;
}

export async function drawBenchDocs(dir = BENCH_RECORDS_DIR, page = PAGE): Promise<void> {
  for (const chart of benchCharts(dir)) {
    const svg = accessibleSvg(await renderSpecToSvg(chart.spec), chart.id, chart.title, String(chart.spec.description ?? chart.title));
    const stamped = svg.replace(/^<svg\b/, `<svg data-sources-sha256="${chart.sourceHash}"`);
    writeFileAtomic(join(dir, `${chart.id}.svg`), `${stamped}\n`);
    console.log(`drew ${chart.id}.svg from ${chart.sources.join(', ')}`);
  }
  writeFileAtomic(page, benchPage(dir));
  console.log(`wrote ${page}`);
}

async function main(): Promise<number> {
  if (process.argv.includes('--check')) {
    const stale = await staleBenchDocs();
    for (const file of stale) console.error(`out of date: ${file} (run \`npm run bench:charts\`)`);
    return stale.length ? 1 : 0;
  }
  await drawBenchDocs();
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
