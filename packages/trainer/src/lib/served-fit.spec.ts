import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@reelrank/artifacts';
import { initTensorFlow, loadModelArtifacts, type MovieContent } from '@reelrank/model';
import { plantedData } from '../testing/planted-data.js';
import { smallTraining } from '../testing/small-training.js';
import { concatColumns, emptyColumns } from './ratings.js';
import { fitNeighbourhood } from './fit-neighbourhood.js';
import { buildIndexing, indexRatings } from './indexing.js';
import { fitRanker } from './ranking-blend.js';
import { runTraining } from './run-training.js';
import { contentMapSource, fitServedOnAll, startServedFit, withTunedWeights, type ServedFitInput } from './served-fit.js';
import { easeSettings, implicitSettings } from './training-plan.js';

const { contentMap } = smallTraining();
const training = smallTraining({ maxEpochs: 30, contentMap: { ...contentMap, minRatings: 5 } });

const planted = plantedData({ nUsers: 50, nMovies: 30, seed: 4 });
const ratings = concatColumns(planted.observed, planted.heldOut);
const content = new Map<number, MovieContent>();
for (let i = 0; i < 30; i++) content.set(planted.movieId(i), { genres: i % 3 === 0 ? ['Drama'] : ['Comedy', 'Romance'], year: 1980 + i });
content.set(99_999, { genres: ['Drama'], year: 2001 });

/**
 * `value` without its timings (`seconds`, `steps`): what must match wherever the fit ran. Typed arrays become
 * their type's name and values (a worker's message creates them outside the test's realm).
 */
function untimed(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return { [value.constructor.name]: Array.from(value as unknown as ArrayLike<number>) };
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Map) return [...value].map(([key, entry]) => [key, untimed(entry)]);
  if (Array.isArray(value)) return value.map(untimed);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'seconds' && key !== 'steps')
      .map(([key, entry]) => [key, untimed(entry)]),
  );
}

function servedInput(all = ratings): ServedFitInput {
  return {
    all,
    rating: { kind: 'svdpp', settings: training, svdpp: null },
    neighbourhood: { k: 5, candidates: 10, shrinkage: 10, minCommon: 2 },
    ranking: { implicit: { ...implicitSettings(training), factors: 3, sweeps: 2 }, ease: { ...easeSettings(training.ranker.ease), maxMovies: 20 } },
    contentMap: contentMapSource(training.contentMap, training.seed, content),
  };
}

describe('the served fit on every rating', () => {
  it('when the train stage fits the served models on a worker thread, then the saved weights and content map are bit-identical to the single-thread run', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'served-here-')), mkdtempSync(join(tmpdir(), 'served-worker-'))];
    try {
      const run = async (dir: string, threads: number) => {
        const lines: string[] = [];
        const config = {
          training: { ...training, threads },
          dataset: { dataset: 'synthetic' as const, source: null, sampleSize: 100 },
          paths: { modelDir: dir, registryDir: `${dir}-versions`, dbPath: '/nonexistent.db' } as never,
        };
        const result = await runTraining(config, { ratings, content, log: (line) => lines.push(line) });
        const file = (name: string) => sha256(readFileSync(join(dir, name)));
        const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
        return { result, lines, weights: file(result.manifest.weights.file), contentMap: file(result.manifest.contentMap!.file), metrics };
      };
      const here = await run(dirs[0], 1);
      const worker = await run(dirs[1], 2);
      expect(worker.result.manifest.version).toBe(here.result.manifest.version);
      expect(worker.weights).toBe(here.weights);
      expect(worker.contentMap).toBe(here.contentMap);
      expect(worker.result.manifest.ranking).toEqual(here.result.manifest.ranking);
      expect(worker.result.manifest.neighbourhood).toEqual(here.result.manifest.neighbourhood);
      // What the API loads is the same too.
      const [loadedHere, loadedWorker] = dirs.map((dir) => loadModelArtifacts(dir));
      for (const part of ['model', 'ranking', 'neighbourhood', 'contentMap'] as const) expect(loadedWorker[part]).toEqual(loadedHere[part]);
      // The worker's log lines reach the stage's log; its steps are reported apart from this thread's.
      for (const lines of [here.lines, worker.lines]) {
        expect(lines.some((l) => l.startsWith('[train] refit on all'))).toBe(true);
        expect(lines.some((l) => l.startsWith('[train] ranker refit on all ratings'))).toBe(true);
        expect(lines.some((l) => l.startsWith('[content-map]'))).toBe(true);
      }
      expect(here.metrics.steps.offThread).toBeUndefined();
      expect(here.metrics.steps.contentMap.wall).toBeGreaterThan(0);
      expect(worker.metrics.steps.offThread.wall).toBeGreaterThan(0);
      expect(worker.metrics.steps.contentMap.wall).toBe(0);
      expect(worker.metrics.steps.servedWait.wall).toBeGreaterThanOrEqual(0);
    } finally {
      for (const dir of dirs) {
        rmSync(dir, { recursive: true, force: true });
        rmSync(`${dir}-versions`, { recursive: true, force: true });
      }
    }
  });

  it('when the fit runs on a worker thread, then every model equals the one fitted on this thread', async () => {
    const { tf, backend } = await initTensorFlow();
    const input = servedInput();
    const here = fitServedOnAll(input, 7, () => undefined, tf);
    const lines: string[] = [];
    const run = startServedFit(input, { offThread: true, backend, log: (line) => lines.push(line) });
    run.start(7);
    const there = await run.result(7);
    expect(untimed(there)).toEqual(untimed(here));
    expect(there.contentMap).toHaveProperty('artifact');
    expect(Object.keys(there.steps)).toEqual(['servedRankerFit', 'servedFit', 'servedNeighbourhoodFit', 'contentMap']);
    expect(lines.some((l) => l.startsWith('[train] refit on all'))).toBe(true);
  });

  it('when the tuned weights join the fit, then the models equal fits with those weights, EASE left out at weight 0', async () => {
    const input = servedInput();
    const fit = fitServedOnAll(input, 5, () => undefined);
    const indexing = buildIndexing(ratings);
    const data = { indexing, train: indexRatings(ratings, indexing) };
    const blend = { rating: 0.9, neighbourhood: 0.1, confident: 0.5, intercept: 0.1 };
    for (const weights of [
      { implicit: 1, rating: 0.1, popularity: 0.02, ease: 2 },
      { implicit: 1, rating: 0.05, popularity: 0, ease: 0 },
    ]) {
      const tuned = withTunedWeights(fit, { neighbourhood: blend, ranking: weights });
      const direct = fitRanker(data, fit.model, input.ranking!.implicit, weights, undefined, input.ranking!.ease);
      expect(tuned.ranking).toEqual(direct.ranking);
      expect(tuned.neighbourhood).toEqual(fitNeighbourhood(ratings, fit.model, input.neighbourhood!, blend).model);
    }
    expect(withTunedWeights(fit, { neighbourhood: null, ranking: null })).toEqual({ model: fit.model, neighbourhood: null, ranking: null });
  });

  it('when the fit fails on the worker thread, then the result rejects with its error', async () => {
    const { backend } = await initTensorFlow();
    const run = startServedFit(servedInput(emptyColumns(0)), { offThread: true, backend, log: () => undefined });
    const here = (() => {
      try {
        fitServedOnAll(servedInput(emptyColumns(0)), 3, () => undefined);
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(here).not.toBeNull();
    await expect(run.result(3)).rejects.toThrow(here!);
  });

  it('when the worker is stopped before it fitted, or the backend is unknown, then the result rejects instead of waiting', async () => {
    const { backend } = await initTensorFlow();
    const stopped = startServedFit(servedInput(), { offThread: true, backend, log: () => undefined });
    await stopped.close();
    await expect(stopped.result(3)).rejects.toThrow('exited');
    const unknown = startServedFit(servedInput(), { offThread: true, backend: 'webgl', log: () => undefined });
    await expect(unknown.result(3)).rejects.toThrow('backend webgl');
  });
});
