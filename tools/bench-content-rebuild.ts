/**
 * Content rebuild benchmark: how long a catalogue change that brings a movie served from its content
 * (a POST /movies) holds the event loop of the process that applies it.
 *
 *   npm run bench:content-rebuild -- [--changes 10]
 *
 * Loads the configured data set's live model and catalogue as the API does (train it first: `npm run
 * pipeline`), then applies `--changes` new movies one catalogue sync at a time, twice: "full rebuild"
 * builds the whole model again synchronously (Recommender.withMoviesContent, as the API did), "sliced
 * top lists" goes through ModelHolder.applyCatalogueChanges (the model rebuilt without its top lists,
 * swapped in, the lists then built 8 ms at a time between requests). The event loop's delay is
 * sampled by perf_hooks.monitorEventLoopDelay (1 ms resolution) while each runs; the table gives the
 * longest stall and the time until the model serves its top lists again.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ModelHolder } from '@reelrank/api';
import { loadConfig } from '@reelrank/config';
import type { OverlayMovie } from '@reelrank/feedback';
import { loadModelArtifacts, resolveLiveModel } from '@reelrank/model';
import { openCatalogSource, Recommender } from '@reelrank/serving';

const { values } = parseArgs({ options: { changes: { type: 'string', default: '10' } } });
const changes = Number(values.changes);
if (!Number.isSafeInteger(changes) || changes < 1) throw new Error(`--changes must be a positive integer (got ${values.changes})`);

const config = loadConfig();
const dir = resolveLiveModel({ ...config.paths }, config.storage.keepModelVersions).dir;

const newMovie = (movieId: number, revision: number): OverlayMovie => ({
  movieId,
  created: true,
  fields: { title: `Benchmark Film ${movieId} (2026)`, year: 2026, genres: ['Drama', 'Comedy'], tags: ['funny'] },
  hidden: false,
  revision,
  source: 'bench',
  updatedAt: 0,
});

const settle = () => new Promise((done) => setTimeout(done, 50));

interface Row {
  mode: string;
  maxStallMs: number;
  p99StallMs: number;
  servedListsMs: number[];
}

async function measure(mode: string, apply: (i: number) => Promise<number>): Promise<Row> {
  const servedListsMs: number[] = [];
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  for (let i = 0; i < changes; i++) {
    servedListsMs.push(await apply(i));
    await settle();
  }
  histogram.disable();
  return { mode, maxStallMs: histogram.max / 1e6, p99StallMs: histogram.percentile(99) / 1e6, servedListsMs };
}

async function main(): Promise<void> {
  const catalogs = await openCatalogSource(config);
  const build = () => new Recommender(loadModelArtifacts(dir), catalogs.open(), { maxRecommendations: config.serving.maxRecommendations });
  const first = build();
  if (!first.servesContent) throw new Error(`the model in ${dir} has no content map: retrain with training.contentMap.enabled`);
  const base = first.maxDataSetMovieId + 1;

  let live = first;
  const full = await measure('full rebuild', async (i) => {
    const started = performance.now();
    const next = live.withMoviesContent(new Map([[base + i, { genres: ['Drama', 'Comedy'], year: 2026, tags: new Map([['funny', 1]]) }]]));
    live.close();
    live = next;
    return performance.now() - started;
  });
  live.close();

  const holder = new ModelHolder(() => build());
  holder.reload();
  const sliced = await measure('sliced top lists', async (i) => {
    const started = performance.now();
    holder.applyCatalogueChanges([newMovie(base + i, i + 1)]);
    const model = holder.current()!;
    await model.buildDeferredTopLists();
    return performance.now() - started;
  });
  holder.current()?.close();

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const lines = [full, sliced].map((r) => [r.mode, r.maxStallMs.toFixed(0), r.p99StallMs.toFixed(0), median(r.servedListsMs).toFixed(0)].join(' | '));
  process.stdout.write(
    `\nContent rebuild: ${changes} movies posted one sync at a time, model ${first.manifest.version} (${dir})\n\n` +
      `| mode | longest event-loop stall (ms) | p99 event-loop delay (ms) | median until top lists serve (ms) |\n| --- | --- | --- | --- |\n` +
      lines.map((l) => `| ${l} |`).join('\n') +
      '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:content-rebuild failed: ${(error as Error).message}\n`);
  process.exit(1);
});
