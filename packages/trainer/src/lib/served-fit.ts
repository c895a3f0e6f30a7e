import type { MfModel, MovieContent, NeighbourhoodBlend, NeighbourhoodModel, RankingBlendWeights, RankingModel, Tf } from '@reelrank/model';
import { contentMapOfServed, ratingCountsOf, type ContentMapSettings } from './content-map-fit.js';
import type { EaseSettings } from './ease.js';
import { trainRatingModel } from './evaluate-split.js';
import { fitNeighbourhoodLists, type NeighbourhoodSettings } from './fit-neighbourhood.js';
import { buildIndexing, indexRatings } from './indexing.js';
import { fitRanker } from './ranking-blend.js';
import type { RatingsColumns } from './ratings.js';
import { StepClock, type StepTime } from './step-clock.js';
import type { TasteSignalColumns } from './taste-signals.js';
import type { ImplicitHyperParameters } from './train-implicit.js';
import type { MfHyperParameters } from './train-mf.js';
import { defaultThreadCount } from './train-threads.js';
import type { SvdppHyperParameters } from './train-svdpp.js';
import type { RatingModelKind } from './training-plan.js';
import { startTfWorker, workerResult } from './tf-worker.js';

/**
 * The served models fitted on every rating (the train stage when the plan refits on all): the rating model
 * for the chosen epoch count, the neighbour lists, the ranker's implicit ALS and EASE factors and the content
 * map of those models. None of them depends on a weight tuned on validation (the neighbourhood blend and the
 * ranker's blend weights are only stored with them, withTunedWeights), so the fit can run on a worker thread
 * while the calling thread evaluates and tunes: the ranker's part (it reads no rating model) from the worker's
 * start, the rest from the moment the epoch count is chosen.
 */

/** The content map's settings and the catalogue's content, or why there is no map. */
export type ContentMapSource = { settings: ContentMapSettings; content: ReadonlyMap<number, MovieContent> } | { skipped: string };

/** The content map step's outcome (contentMapOfServed), or why it was skipped. */
export type ContentMapOutcome = ReturnType<typeof contentMapOfServed>;

/** What the served models are fitted from: every rating and the plan's settings. */
export interface ServedFitInput {
  all: RatingsColumns;
  rating: { kind: RatingModelKind; settings: MfHyperParameters; svdpp: SvdppHyperParameters | null };
  /** Neighbour list settings (null: no neighbourhood predictor). */
  neighbourhood: NeighbourhoodSettings | null;
  /** The ranker's implicit ALS and EASE settings (null: no ranker). */
  ranking: { implicit: ImplicitHyperParameters; ease: EaseSettings | null } | null;
  signals?: TasteSignalColumns;
  contentMap: ContentMapSource;
}

export interface ServedFit {
  model: MfModel;
  seconds: number;
  /** The neighbour lists without blend weights (null: no neighbourhood predictor). */
  neighbourhood: { lists: Omit<NeighbourhoodModel, 'blend'>; seconds: number } | null;
  /** The ranker's factors; its weights are the untuned placeholder until withTunedWeights (null: no ranker). */
  ranking: { ranking: RankingModel; seconds: number } | null;
  contentMap: ContentMapOutcome;
  /** servedFit, servedNeighbourhoodFit, servedRankerFit, contentMap, timed where the fit ran. */
  steps: Record<string, StepTime>;
}

/** The content map's input: the configured settings with the training seed and the content, or why there is none. */
export function contentMapSource(
  settings: Omit<ContentMapSettings, 'seed'> & { enabled: boolean },
  seed: number,
  content: ReadonlyMap<number, MovieContent> | undefined,
): ContentMapSource {
  if (!settings.enabled) return { skipped: 'training.contentMap.enabled is false' };
  if (!content) return { skipped: 'no content given' };
  return { settings: { ...settings, seed }, content };
}

/** The content map of the served models (which it only reads), fitted on `ratings`' counts, or why there is none. */
export function contentMapStep(
  models: { model: MfModel; ranking?: RankingModel },
  ratings: RatingsColumns,
  source: ContentMapSource,
  log: (line: string) => void,
): ContentMapOutcome {
  if ('skipped' in source) return { skipped: source.skipped };
  const input = { model: models.model, ranking: models.ranking, ratingCounts: ratingCountsOf(models.model, ratings), content: source.content };
  return contentMapOfServed(input, source.settings, log);
}

/** The ranker's weights while its factors are fitted: EASE fitted whenever the plan has it (weights.ease is not 0). */
const UNTUNED: RankingBlendWeights = { implicit: 1, rating: 0, popularity: 0 };

/** The ranker's factors on every rating, its fit's seconds and step time, and the users and movies it was indexed with. */
export interface ServedRanking {
  ranking: RankingModel;
  seconds: number;
  step: StepTime;
  users: number;
  movies: number;
}

/**
 * The part of the served fit that needs no epoch count: the ranker's implicit ALS and EASE factors on every
 * rating (they read no rating model), so a worker fits them while the epoch count is still being chosen.
 */
export function fitServedRanking(input: ServedFitInput, log: (line: string) => void, tf?: Tf): ServedRanking | null {
  if (!input.ranking) return null;
  const { all } = input;
  const { implicit, ease } = input.ranking;
  const indexing = buildIndexing(all);
  const ids = { userIds: indexing.users.ids, movieIds: indexing.movies.ids };
  const clock = new StepClock();
  // The blend weights tuned on validation join later (withTunedWeights).
  const fitted = clock.time('servedRankerFit', () =>
    fitRanker({ indexing, train: indexRatings(all, indexing) }, ids, implicit, UNTUNED, log, ease, input.signals, tf),
  );
  log(`[train] ranker refit on all ratings (implicit ALS, ${implicit.sweeps} sweeps) in ${fitted.seconds.toFixed(2)} s`);
  const { ranking, seconds } = fitted;
  return { ranking, seconds, step: clock.steps.servedRankerFit, users: ids.userIds.length, movies: ids.movieIds.length };
}

/**
 * Fits the served models on every rating for `epochs` epochs (the same functions wherever it runs); `ranking`:
 * the ranker's part when it was fitted before the epoch count was known (fitServedRanking).
 */
export function fitServedOnAll(
  input: ServedFitInput,
  epochs: number,
  log: (line: string) => void,
  tf?: Tf,
  ranking: ServedRanking | null = fitServedRanking(input, log, tf),
): ServedFit {
  const clock = new StepClock();
  if (ranking) clock.steps.servedRankerFit = ranking.step;
  const { all } = input;
  const { kind, settings, svdpp } = input.rating;
  const refit = clock.time('servedFit', () => trainRatingModel(kind, all, null, settings, { epochs, svdpp }));
  log(`[train] refit on all ${all.ratings.length} ratings for ${epochs} epochs in ${refit.seconds.toFixed(2)} s`);
  if (ranking && (refit.model.userIds.length !== ranking.users || refit.model.movieIds.length !== ranking.movies))
    throw new Error('served fit: the rating model is indexed differently from the ranker');
  let neighbourhood: ServedFit['neighbourhood'] = null;
  if (input.neighbourhood) {
    const settingsNb = input.neighbourhood;
    // The neighbour lists again on every rating (the blend weights fitted on validation join them later).
    const fitted = clock.time('servedNeighbourhoodFit', () => fitNeighbourhoodLists(all, refit.model, settingsNb));
    neighbourhood = { lists: fitted.lists, seconds: fitted.seconds };
    log(`[train] neighbour lists refit on all ratings (${fitted.lists.neighbours.length} entries) in ${fitted.seconds.toFixed(2)} s`);
  }
  const contentMap = clock.time('contentMap', () => contentMapStep({ model: refit.model, ranking: ranking?.ranking }, all, input.contentMap, log));
  return {
    model: refit.model,
    seconds: refit.seconds,
    neighbourhood,
    ranking: ranking && { ranking: ranking.ranking, seconds: ranking.seconds },
    contentMap,
    steps: clock.steps,
  };
}

/**
 * The served models with the weights tuned on validation: the neighbourhood blend and the ranker's blend
 * weights (EASE dropped when its tuned weight is 0, as a fit with those weights leaves it out).
 */
export function withTunedWeights(
  fit: ServedFit,
  tuned: { neighbourhood: NeighbourhoodBlend | null; ranking: RankingBlendWeights | null },
): { model: MfModel; neighbourhood: NeighbourhoodModel | null; ranking: RankingModel | null } {
  const neighbourhood = fit.neighbourhood && tuned.neighbourhood ? { ...fit.neighbourhood.lists, blend: tuned.neighbourhood } : null;
  let ranking: RankingModel | null = null;
  if (fit.ranking && tuned.ranking) {
    const weights = { ...tuned.ranking };
    const { ease, ...withoutEase } = fit.ranking.ranking;
    ranking = ease && weights.ease !== 0 ? { ...fit.ranking.ranking, weights } : { ...withoutEase, weights };
  }
  return { model: fit.model, neighbourhood, ranking };
}

/** Whether the served fit runs on its own worker thread: with `training.threads` above 1 (null: one per core). */
export function servedFitOffThread(settings: { threads?: number | null }): boolean {
  return Math.floor(settings.threads ?? defaultThreadCount()) > 1;
}

/** The fit on every rating, here or on a worker thread. */
export interface ServedFitRun {
  readonly offThread: boolean;
  /** Starts the fit for `epochs` epochs (the selection's best epoch) on the worker; later calls do nothing. */
  start(epochs: number): void;
  /** The fit (started with `epochs` when it was not yet); on the worker path the worker has exited or is stopped once it settles. */
  result(epochs: number): Promise<ServedFit>;
  /** Stops the worker (a failure elsewhere); the promise settles once it has exited. */
  close(): Promise<void>;
}

/** The ArrayBuffers of the typed arrays in `value` that each own a whole, transferable buffer (no duplicates). */
export function transferList(value: unknown): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      const buffer = v.buffer;
      if (buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === buffer.byteLength) buffers.add(buffer);
      return;
    }
    if (v instanceof Map)
      for (const [key, entry] of v) {
        visit(key);
        visit(entry);
      }
    else for (const entry of Object.values(v)) visit(entry);
  };
  visit(value);
  return [...buffers];
}

type TypedArrayClass = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayBufferView;
const TYPED_ARRAYS: Record<string, TypedArrayClass> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
};

/**
 * `value` with each typed array in it viewed through this realm's class of the same name (same memory, no copy):
 * a message may create them with another realm's classes (a test's sandbox), which `instanceof` would not know.
 */
export function inThisRealm<T>(value: T): T {
  const seen = new Set<object>();
  const visit = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v)) {
      const view: ArrayBufferView = v;
      const Class = TYPED_ARRAYS[view.constructor.name];
      if (!Class || view instanceof Class) return view;
      const { buffer, byteOffset, byteLength } = v;
      return new Class(buffer, byteOffset, byteLength / (v as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT);
    }
    if (seen.has(v)) return v;
    seen.add(v);
    if (v instanceof Map) for (const [key, entry] of v) v.set(key, visit(entry));
    else for (const [key, entry] of Object.entries(v)) (v as Record<string, unknown>)[key] = visit(entry);
    return v;
  };
  return visit(value) as T;
}

/**
 * The served fit of `input`: with `offThread`, on a worker thread (served-fit-worker.js) started now, so its
 * start-up (TypeScript loader, TF.js on the calling thread's `backend`) and the ranker's part (fitServedRanking)
 * overlap the caller's work, fitting the rest once `start` gives the epoch count; its log lines come through `log`. A failure of the worker rejects
 * `result` (never hangs), and the worker is terminated on every path. Without `offThread`, `result` fits here.
 */
export function startServedFit(
  input: ServedFitInput,
  options: { offThread: boolean; backend: string; tf?: Tf; log: (line: string) => void },
): ServedFitRun {
  const { log } = options;
  if (!options.offThread)
    return {
      offThread: false,
      start: () => undefined,
      result: async (epochs) => fitServedOnAll(input, epochs, log, options.tf),
      close: async () => undefined,
    };
  let spawned: ReturnType<typeof startTfWorker>;
  try {
    spawned = startTfWorker('served-fit-worker.js', options.backend, { input });
  } catch (error) {
    const failed = Promise.reject(error as Error);
    failed.catch(() => undefined);
    return { offThread: true, start: () => undefined, result: () => failed, close: async () => undefined };
  }
  const { worker, close } = spawned;
  const fitted = workerResult(worker, 'served fit', (message) => {
    const { log: line, fit } = message as { log?: string; fit?: ServedFit };
    if (line !== undefined) log(line);
    return fit ? inThisRealm(fit) : undefined;
  }).finally(close);
  // A failure surfaces where the result is awaited.
  fitted.catch(() => undefined);
  let started = false;
  const start = (epochs: number) => {
    if (started) return;
    started = true;
    worker.postMessage({ epochs });
  };
  return {
    offThread: true,
    start,
    result: (epochs) => {
      start(epochs);
      return fitted;
    },
    close,
  };
}
