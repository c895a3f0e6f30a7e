import {
  blendMovieFactors,
  contentFactors,
  contentFeatures,
  featureCount,
  movieFactorsAt,
  type ContentFeatureSpec,
  type ContentMap,
  type ContentMapArtifact,
  type MfModel,
  type MovieContent,
  type MovieFactorsEntry,
  type RankingModel,
} from '@reelrank/model';
import { deriveSeed, seededRandom, shuffleInPlace } from '@reelrank/random';
import { buildContentSpec, type ContentSpecSettings } from './content-spec.js';
import { buildIdIndex } from './indexing.js';
import { runFit, type ModelFit, type PassRecord } from './model-fit.js';
import { invertSpdInPlace } from './spd-inverse.js';

/** `training.contentMap` with the training seed. */
export interface ContentMapSettings extends ContentSpecSettings {
  minRatings: number;
  lambdaGrid: readonly number[];
  validationFraction: number;
  blendPrior: number;
  seed: number;
}

/** What the map learns from: the fitted models, each model movie's rating count, and the catalogue's content by movie id. */
export interface ContentMapInput {
  model: MfModel;
  ranking?: RankingModel;
  /** Ratings the models were fitted on, per model movie index. */
  ratingCounts: ArrayLike<number>;
  content: ReadonlyMap<number, MovieContent>;
}

type Block = 'ratingFactors' | 'movieBias' | 'rankingFactors';
const BLOCKS: readonly Block[] = ['ratingFactors', 'movieBias', 'rankingFactors'];

/** Validation RMSE of each target block for one λ (null: the block is empty, a model without ranker). */
export type BlockErrors = Record<Block, number | null>;

export interface ContentMapReport {
  /** Movies with at least minRatings ratings and content: fit (λ search on part, then all) and validation. */
  trainingMovies: number;
  validationMovies: number;
  features: number;
  search: Array<{ lambda: number; validationRmse: BlockErrors }>;
  lambda: ContentMap['lambda'];
  /** The same RMSE of the intercept alone (every movie the mean vector): what the content adds. */
  meanOnlyRmse: BlockErrors;
  /** Added to the content bias after the fit, so it matches the movies with few ratings (lowCountBiasShift). */
  biasShift: number;
}

/** Sparse rows of the design matrix and dense target rows, one per training movie. */
interface Design {
  spec: ContentFeatureSpec;
  d: number;
  t: number;
  columns: Int32Array[];
  values: Float64Array[];
  targets: Float64Array[];
  /** Target columns of each block: [from, to). */
  blocks: Record<Block, [number, number]>;
}

function designOf(input: ContentMapInput, examples: number[], spec: ContentFeatureSpec): Design {
  const { model, ranking } = input;
  const kR = model.factors;
  const kI = ranking?.factors ?? 0;
  const d = featureCount(spec);
  const t = kR + 1 + kI;
  const x = new Float64Array(d);
  const columns: Int32Array[] = [];
  const values: Float64Array[] = [];
  const targets: Float64Array[] = [];
  for (const i of examples) {
    contentFeatures(spec, input.content.get(model.movieIds[i])!, x);
    const nz: number[] = [];
    for (let c = 0; c < d; c++) if (x[c] !== 0) nz.push(c);
    columns.push(Int32Array.from(nz));
    values.push(Float64Array.from(nz, (c) => x[c]));
    const v = movieFactorsAt(input, i);
    const y = new Float64Array(t);
    y.set(v.ratingFactors, 0);
    y[kR] = v.movieBias;
    y.set(v.rankingFactors, kR + 1);
    targets.push(y);
  }
  return { spec, d, t, columns, values, targets, blocks: { ratingFactors: [0, kR], movieBias: [kR, kR + 1], rankingFactors: [kR + 1, t] } };
}

/** XᵀX (d × d) and XᵀY (d × t) over the design rows `rows`, exploiting the rows' sparsity. */
function normalEquations(design: Design, rows: readonly number[]): { gram: Float64Array; xty: Float64Array } {
  const { d, t } = design;
  const gram = new Float64Array(d * d);
  const xty = new Float64Array(d * t);
  for (const r of rows) {
    const cols = design.columns[r];
    const vals = design.values[r];
    const y = design.targets[r];
    for (let a = 0; a < cols.length; a++) {
      const ca = cols[a];
      const va = vals[a];
      const row = ca * d;
      for (let b = 0; b <= a; b++) gram[row + cols[b]] += va * vals[b];
      const out = ca * t;
      for (let c = 0; c < t; c++) xty[out + c] += va * y[c];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) gram[b * d + a] = gram[a * d + b];
  return { gram, xty };
}

/** W = (XᵀX + λ·I')⁻¹ XᵀY, I' sparing the intercept (column 0), for the target columns [from, to) into `out` (d × t). */
function solveRidge(
  design: Design,
  ne: { gram: Float64Array; xty: Float64Array },
  lambda: number,
  ranges: Array<[number, number]>,
  out: Float64Array,
): void {
  const { d, t } = design;
  const A = Float64Array.from(ne.gram);
  for (let a = 1; a < d; a++) A[a * d + a] += lambda;
  // A column no row uses is 0 in XᵀX: λ alone keeps it positive definite, and its weights 0.
  invertSpdInPlace(A, d);
  for (let a = 0; a < d; a++) {
    const ra = a * d;
    for (const [from, to] of ranges) {
      for (let c = from; c < to; c++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += A[ra + b] * ne.xty[b * t + c];
        out[a * t + c] = s;
      }
    }
  }
}

/** RMSE per block of W's predictions on the design rows `rows`. */
function blockErrors(design: Design, W: Float64Array, rows: readonly number[]): BlockErrors {
  const { t } = design;
  const sums = new Float64Array(t);
  const pred = new Float64Array(t);
  for (const r of rows) {
    pred.fill(0);
    const cols = design.columns[r];
    const vals = design.values[r];
    for (let a = 0; a < cols.length; a++) {
      const o = cols[a] * t;
      for (let c = 0; c < t; c++) pred[c] += vals[a] * W[o + c];
    }
    const y = design.targets[r];
    for (let c = 0; c < t; c++) sums[c] += (pred[c] - y[c]) ** 2;
  }
  const errors = {} as BlockErrors;
  for (const block of BLOCKS) {
    const [from, to] = design.blocks[block];
    let s = 0;
    for (let c = from; c < to; c++) s += sums[c];
    errors[block] = to > from && rows.length > 0 ? Math.sqrt(s / ((to - from) * rows.length)) : null;
  }
  return errors;
}

/**
 * The map learns from movies with many ratings, which are rated higher than the ones with few (the
 * movies nobody rated yet are among those): the mean of learned − content bias over the model's
 * movies with 1..minRatings−1 ratings, added to the map's intercept so content biases match them (0 when there are none).
 */
function lowCountBiasShift(input: ContentMapInput, design: Design, W: Float64Array, minRatings: number): number {
  const { t, spec } = design;
  const column = design.blocks.movieBias[0];
  const x = new Float64Array(design.d);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < input.model.movieIds.length; i++) {
    const count = input.ratingCounts[i];
    const content = input.content.get(input.model.movieIds[i]);
    if (count < 1 || count >= minRatings || !content) continue;
    contentFeatures(spec, content, x);
    let predicted = 0;
    for (let a = 0; a < x.length; a++) if (x[a] !== 0) predicted += x[a] * W[a * t + column];
    sum += input.model.movieBias[i] - predicted;
    n++;
  }
  return n > 0 ? sum / n : 0;
}

/** Model movie indices that train the map: at least minRatings ratings and content in the catalogue. */
export function trainingMovies(input: ContentMapInput, minRatings: number): number[] {
  const examples: number[] = [];
  for (let i = 0; i < input.model.movieIds.length; i++) {
    if (input.ratingCounts[i] >= minRatings && input.content.has(input.model.movieIds[i])) examples.push(i);
  }
  return examples;
}

interface ContentMapStats {
  report: ContentMapReport;
}

/** The ridge map as a ModelFit: closed form, one pass (λ chosen per block on validation movies, then the fit on all training movies). */
class ContentRidgeFit implements ModelFit<null, ContentMap, ContentMapStats> {
  readonly passes = 1;
  readonly validated = false;
  private map: ContentMap | null = null;

  constructor(
    private readonly input: ContentMapInput,
    private readonly settings: ContentMapSettings,
  ) {}

  pass(): ContentMapStats {
    const { input, settings } = this;
    const examples = trainingMovies(input, settings.minRatings);
    if (examples.length < 2)
      throw new Error(`content map: ${examples.length} movies with ${settings.minRatings}+ ratings and content; at least 2 needed`);
    const spec = buildContentSpec(
      examples.map((i) => input.content.get(input.model.movieIds[i])!),
      settings,
    );
    const design = designOf(input, examples, spec);
    const order = Array.from(examples.keys());
    shuffleInPlace(order, seededRandom(deriveSeed(settings.seed, 'content-map:validation')));
    const nValidation = Math.min(order.length - 1, Math.max(1, Math.round(order.length * settings.validationFraction)));
    const validationRows = order.slice(0, nValidation);
    const fitRows = order.slice(nValidation);
    const fitNe = normalEquations(design, fitRows);
    const W = new Float64Array(design.d * design.t);
    const all: Array<[number, number]> = [[0, design.t]];
    const search = settings.lambdaGrid.map((lambda) => {
      solveRidge(design, fitNe, lambda, all, W);
      return { lambda, validationRmse: blockErrors(design, W, validationRows) };
    });
    const lambda = {} as ContentMap['lambda'];
    for (const block of BLOCKS) {
      let best = search[0];
      for (const s of search) if ((s.validationRmse[block] ?? 0) < (best.validationRmse[block] ?? 0)) best = s;
      lambda[block] = best.lambda;
    }
    // The mean vector of the fit movies (intercept only): the floor the content has to beat.
    const meanOnly = new Float64Array(design.d * design.t);
    for (const r of fitRows) for (let c = 0; c < design.t; c++) meanOnly[c] += design.targets[r][c] / fitRows.length;
    const meanOnlyRmse = blockErrors(design, meanOnly, validationRows);

    const allNe = normalEquations(design, Array.from(examples.keys()));
    const final = new Float64Array(design.d * design.t);
    for (const value of new Set(Object.values(lambda))) {
      const ranges = BLOCKS.filter((b) => lambda[b] === value).map((b) => design.blocks[b]);
      solveRidge(design, allNe, value, ranges, final);
    }
    const biasShift = lowCountBiasShift(input, design, final, settings.minRatings);
    final[design.blocks.movieBias[0]] += biasShift; // the intercept's bias column
    this.map = {
      spec,
      ratingFactors: input.model.factors,
      rankingFactors: input.ranking?.factors ?? 0,
      weights: Float32Array.from(final),
      lambda,
      blend: { prior: settings.blendPrior, fullAt: settings.minRatings },
    };
    return {
      report: { trainingMovies: examples.length, validationMovies: nValidation, features: design.d, search, lambda, meanOnlyRmse, biasShift },
    };
  }

  validationScore(): null {
    return null;
  }

  snapshot(): null {
    return null;
  }

  exportModel(): ContentMap {
    if (!this.map) throw new Error('content map exported before its pass');
    return this.map;
  }

  progress({ report }: ContentMapStats & PassRecord): string {
    const { lambda } = report;
    return `[content-map] ${report.trainingMovies} movies (${report.validationMovies} for lambda), ${report.features} features; lambda q ${lambda.ratingFactors}, b ${lambda.movieBias}, y ${lambda.rankingFactors}`;
  }

  close(): unknown {
    return undefined;
  }
}

export interface ContentMapFit {
  map: ContentMap;
  report: ContentMapReport;
  seconds: number;
}

/**
 * Fits the content map: ridge regression from content features to the served vectors [q_i, b_i, y_i]
 * of the movies with at least `minRatings` ratings, λ chosen per target block on a seeded share of
 * those movies, then refit on all of them (the normal equations solved by the trainer's one Cholesky,
 * spd-inverse.ts). The models' own weights are only read.
 */
export function fitContentMap(input: ContentMapInput, settings: ContentMapSettings, log?: (line: string) => void): ContentMapFit {
  const outcome = runFit(new ContentRidgeFit(input, settings), { log });
  return { map: outcome.model, report: outcome.history[0].report, seconds: outcome.seconds };
}

/**
 * The served vectors of the catalogue movies with fewer than the map's `blend.fullAt` ratings: their
 * content's, blended toward their own (none for a movie without ratings, absent from the model).
 */
export function coldStartEntries(map: ContentMap, input: ContentMapInput): MovieFactorsEntry[] {
  const index = new Map<number, number>();
  input.model.movieIds.forEach((id, i) => index.set(id, i));
  const entries: MovieFactorsEntry[] = [];
  for (const [movieId, content] of [...input.content].sort((a, b) => a[0] - b[0])) {
    const i = index.get(movieId);
    const ratings = i === undefined ? 0 : input.ratingCounts[i];
    if (ratings >= map.blend.fullAt) continue;
    const learned = i === undefined || ratings === 0 ? null : movieFactorsAt(input, i);
    entries.push({ movieId, ratings, factors: blendMovieFactors(contentFactors(map, content), learned, ratings, map.blend) });
  }
  return entries;
}

/** Ratings per model movie index in `columns`. */
export function ratingCountsOf(model: Pick<MfModel, 'movieIds'>, columns: { movieIds: Int32Array }): Int32Array {
  // The model's movie ids are distinct and ascending: buildIdIndex gives each its own index (a dense table).
  const index = buildIdIndex(model.movieIds);
  const counts = new Int32Array(model.movieIds.length);
  for (let r = 0; r < columns.movieIds.length; r++) {
    const i = index.indexOf(columns.movieIds[r]);
    if (i >= 0) counts[i]++;
  }
  return counts;
}

/** The train stage's step: the map of the served models and the cold-start movies' vectors, or why there is none. */
export function contentMapOfServed(
  input: ContentMapInput,
  settings: ContentMapSettings,
  log: (line: string) => void,
): { artifact: ContentMapArtifact; report: ContentMapReport & { coldStartMovies: number; seconds: number } } | { skipped: string } {
  if (trainingMovies(input, settings.minRatings).length < 2)
    return { skipped: `fewer than 2 movies with ${settings.minRatings}+ ratings and content` };
  const fit = fitContentMap(input, settings, log);
  const coldStart = coldStartEntries(fit.map, input);
  return {
    artifact: { map: fit.map, coldStart },
    report: { ...fit.report, coldStartMovies: coldStart.length, seconds: Number(fit.seconds.toFixed(3)) },
  };
}
