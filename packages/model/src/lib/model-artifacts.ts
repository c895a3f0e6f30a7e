import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, writeFileAtomic } from '@reelrank/artifacts';
import type { GateVerdict } from './gate-verdict.js';
import { parseContentMap, serialiseContentMap, type ContentMapArtifact } from './content-map-artifact.js';
import { featureCount } from './content-map.js';
import { assertModelShape, type MfModel } from './mf-model.js';
import { assertNeighbourhoodShape, type NeighbourhoodModel } from './neighbourhood-model.js';
import type { PopularityRanking } from './popularity.js';
import { assertRankingShape, type ImplicitConfidence, type RankingBlendWeights, type RankingModel } from './ranking-model.js';
import type { EaseInput, EaseModel } from './ease-model.js';

/**
 * On disk a model is three files in models/<dataset>/:
 *   weights-<version>.bin  every array, 8-byte aligned, little-endian
 *   metrics.json           the evaluation report
 *   model.json             manifest: hyper-parameters, data hash, shapes, the weights file and its sha256
 * model.json is written last (atomically), so a reader sees either the previous complete model or
 * the new one. Loading re-checks the weights' size and sha256, so a damaged file is refused.
 */

export const MODEL_FORMAT = 'reelrank-mf';
export const MODEL_FORMAT_VERSION = 1;

type SectionName =
  | 'userIds'
  | 'movieIds'
  | 'userBias'
  | 'movieBias'
  | 'userFactors'
  | 'movieFactors'
  | 'popularMovieIds'
  | 'popularScores'
  | 'popularCounts'
  // Optional (models with a top-N ranker, see ranking-model.ts); older files simply lack them.
  | 'rankingUserFactors'
  | 'rankingMovieFactors'
  | 'rankingMoviePrior'
  // Optional: the ranker's EASE term (movies it covers, B).
  | 'easeMovies'
  | 'easeWeights'
  // Optional: the baseline predictor for unknown users/movies (MfModel.fallback).
  | 'fallbackUserBias'
  | 'fallbackMovieBias'
  // Optional: the neighbourhood predictor blended into the served rating (neighbourhood-model.ts).
  | 'neighbourOffsets'
  | 'neighbourIndices'
  | 'neighbourSimilarities'
  | 'neighbourBlend';

interface Section {
  name: SectionName;
  dtype: 'int32' | 'float32';
  offset: number;
  length: number;
}

export interface ModelManifest {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  /** Content-derived: the same data, seed and settings give the same version. */
  version: string;
  dataset: string;
  createdAt: string;
  /** sha256 of the ratings the model was trained on. */
  dataHash: string;
  backend: string;
  globalMean: number;
  factors: number;
  users: number;
  movies: number;
  hyperParameters: Record<string, unknown>;
  training: Record<string, unknown>;
  /** Headline figures (the full report is metrics.json). */
  metrics: Record<string, unknown>;
  weights: { file: string; bytes: number; sha256: string; sections: Section[] };
  /**
   * The top-N ranker's settings when the weights hold its sections (absent in older models, which
   * then rank by the rating model alone).
   */
  ranking?: RankingManifest;
  /** μ' of the baseline predictor when the weights hold its bias sections. */
  fallbackGlobalMean?: number;
  /** The promotion gate's verdict (absent in models trained before the gate). */
  gate?: GateVerdict;
  /** The neighbourhood predictor blended into the served rating, when the weights hold its sections. */
  neighbourhood?: NeighbourhoodManifest;
  /** The content -> movie vectors map (content-map.ts), a file of its own so the weights stay as they are. */
  contentMap?: ContentMapManifest;
}

export interface ContentMapManifest {
  file: string;
  sha256: string;
  features: number;
  /** Movies served with content-derived vectors (few or no ratings). */
  coldStartMovies: number;
}

export interface NeighbourhoodManifest {
  /** Neighbours summed per prediction, and list entries in all (movies x at most `candidates`). */
  k: number;
  entries: number;
  blend: NeighbourhoodModel['blend'];
}

export interface RankingManifest {
  kind: 'implicit-als+rating+popularity' | 'implicit-als+rating+popularity+ease';
  factors: number;
  weights: RankingBlendWeights;
  confidence: ImplicitConfidence;
  /** The EASE term's size (K movies, B = K × K floats), λ and what a rating counts in x_u (absent: 1), when the weights hold its sections. */
  ease?: { movies: number; lambda: number; input?: EaseInput };
}

function easeManifest(ease: EaseModel): NonNullable<RankingManifest['ease']> {
  return { movies: ease.movies.length, lambda: ease.lambda, ...(ease.input ? { input: { ...ease.input } } : {}) };
}

export interface ModelBundle {
  model: MfModel;
  popularity: PopularityRanking;
  manifest: ModelManifest;
  /** The top-N ranker (see ranking-model.ts), when the artifact has one. */
  ranking?: RankingModel;
  /** The content map and the cold-start movies' vectors, when the training fitted one. */
  contentMap?: ContentMapArtifact;
  /** The neighbourhood predictor blended into the served rating, when the training fitted one. */
  neighbourhood?: NeighbourhoodModel;
}

export type ManifestInput = Omit<
  ModelManifest,
  | 'format'
  | 'formatVersion'
  | 'version'
  | 'weights'
  | 'globalMean'
  | 'factors'
  | 'users'
  | 'movies'
  | 'ranking'
  | 'fallbackGlobalMean'
  | 'contentMap'
  | 'neighbourhood'
>;

export class ModelLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

function arraysOf(
  model: MfModel,
  popularity: PopularityRanking,
  ranking?: RankingModel,
  neighbourhood?: NeighbourhoodModel,
): Array<[SectionName, Int32Array | Float32Array]> {
  const rankingArrays: Array<[SectionName, Int32Array | Float32Array]> = ranking
    ? [
        ['rankingUserFactors', ranking.userFactors],
        ['rankingMovieFactors', ranking.movieFactors],
        ['rankingMoviePrior', ranking.moviePrior],
        ...(ranking.ease
          ? ([
              ['easeMovies', ranking.ease.movies],
              ['easeWeights', ranking.ease.weights],
            ] as Array<[SectionName, Int32Array | Float32Array]>)
          : []),
      ]
    : [];
  return [
    ['userIds', model.userIds],
    ['movieIds', model.movieIds],
    ['userBias', model.userBias],
    ['movieBias', model.movieBias],
    ['userFactors', model.userFactors],
    ['movieFactors', model.movieFactors],
    ['popularMovieIds', popularity.movieIds],
    ['popularScores', popularity.scores],
    ['popularCounts', popularity.counts],
    ...rankingArrays,
    ...(model.fallback
      ? ([
          ['fallbackUserBias', model.fallback.userBias],
          ['fallbackMovieBias', model.fallback.movieBias],
        ] as Array<[SectionName, Float32Array]>)
      : []),
    ...(neighbourhood
      ? ([
          ['neighbourOffsets', neighbourhood.offsets],
          ['neighbourIndices', neighbourhood.neighbours],
          ['neighbourSimilarities', neighbourhood.similarities],
          ['neighbourBlend', blendArray(neighbourhood.blend)],
        ] as Array<[SectionName, Int32Array | Float32Array]>)
      : []),
  ];
}

/** The blend weights as a weights section too, so they are part of the version hash. */
function blendArray(blend: NeighbourhoodModel['blend']): Float32Array {
  return Float32Array.of(blend.rating, blend.neighbourhood, blend.confident, blend.intercept);
}

function serialiseWeights(
  model: MfModel,
  popularity: PopularityRanking,
  ranking?: RankingModel,
  neighbourhood?: NeighbourhoodModel,
): { bytes: Buffer; sections: Section[] } {
  const sections: Section[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, array] of arraysOf(model, popularity, ranking, neighbourhood)) {
    const chunk = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
    sections.push({ name, dtype: array instanceof Int32Array ? 'int32' : 'float32', offset, length: array.length });
    chunks.push(chunk);
    offset += chunk.byteLength;
    const pad = (8 - (offset % 8)) % 8;
    if (pad) {
      chunks.push(Buffer.alloc(pad));
      offset += pad;
    }
  }
  return { bytes: Buffer.concat(chunks, offset), sections };
}

/** Writes weights, metrics.json and finally model.json; removes weights of older versions. */
export function saveModelArtifacts(
  dir: string,
  bundle: {
    model: MfModel;
    popularity: PopularityRanking;
    manifest: ManifestInput;
    metricsReport: unknown;
    ranking?: RankingModel;
    contentMap?: ContentMapArtifact;
    neighbourhood?: NeighbourhoodModel;
  },
): ModelManifest {
  assertModelShape(bundle.model);
  if (bundle.ranking) assertRankingShape(bundle.model, bundle.ranking);
  if (bundle.neighbourhood) assertNeighbourhoodShape(bundle.model, bundle.neighbourhood);
  const { bytes, sections } = serialiseWeights(bundle.model, bundle.popularity, bundle.ranking, bundle.neighbourhood);
  const digest = sha256(bytes);
  const version = `mf-${digest.slice(0, 12)}`;
  const file = `weights-${version}.bin`;
  const contentText = bundle.contentMap ? serialiseContentMap(bundle.contentMap) : null;
  const contentFile = `content-map-${version}.json`;
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    version,
    ...bundle.manifest,
    globalMean: bundle.model.globalMean,
    factors: bundle.model.factors,
    users: bundle.model.userIds.length,
    movies: bundle.model.movieIds.length,
    weights: { file, bytes: bytes.byteLength, sha256: digest, sections },
    ...(bundle.model.fallback ? { fallbackGlobalMean: bundle.model.fallback.globalMean } : {}),
    ...(bundle.ranking
      ? {
          ranking: {
            kind: bundle.ranking.ease ? ('implicit-als+rating+popularity+ease' as const) : ('implicit-als+rating+popularity' as const),
            factors: bundle.ranking.factors,
            weights: { ...bundle.ranking.weights },
            confidence: { ...bundle.ranking.confidence },
            ...(bundle.ranking.ease ? { ease: easeManifest(bundle.ranking.ease) } : {}),
          },
        }
      : {}),
    ...(bundle.neighbourhood
      ? { neighbourhood: { k: bundle.neighbourhood.k, entries: bundle.neighbourhood.neighbours.length, blend: { ...bundle.neighbourhood.blend } } }
      : {}),
    ...(bundle.contentMap && contentText
      ? {
          contentMap: {
            file: contentFile,
            sha256: sha256(contentText),
            features: featureCount(bundle.contentMap.map.spec),
            coldStartMovies: bundle.contentMap.coldStart.length,
          },
        }
      : {}),
  };
  writeFileAtomic(join(dir, file), bytes);
  if (contentText) writeFileAtomic(join(dir, contentFile), contentText);
  // metrics.json names the model version it describes: a kill between this write and model.json's
  // leaves a report a reader can tell apart from the live model.
  const metrics = { modelVersion: version, ...(bundle.metricsReport as object) };
  writeFileAtomic(join(dir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  writeFileAtomic(join(dir, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const name of readdirSync(dir)) {
    const staleWeights =
      (/^weights-.*\.bin$/.test(name) && name !== file) || (/^content-map-.*\.json$/.test(name) && name !== manifest.contentMap?.file);
    const leftoverTemp = name.startsWith('.') && name.endsWith('.tmp');
    if (staleWeights || leftoverTemp) rmSync(join(dir, name), { force: true });
  }
  return manifest;
}

export function readModelManifest(dir: string): ModelManifest {
  const path = join(dir, 'model.json');
  if (!existsSync(path)) throw new ModelLoadError(`No trained model in ${dir} (model.json missing): run the train stage first`);
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as ModelManifest;
  } catch (error) {
    throw new ModelLoadError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (manifest.format !== MODEL_FORMAT || manifest.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelLoadError(`${path} is not a ${MODEL_FORMAT} v${MODEL_FORMAT_VERSION} model`);
  }
  return manifest;
}

/** Loads and verifies a model; throws ModelLoadError for anything missing, truncated or altered. */
export function loadModelArtifacts(dir: string): ModelBundle {
  const manifest = readModelManifest(dir);
  const weightsPath = join(dir, manifest.weights.file);
  if (!existsSync(weightsPath)) throw new ModelLoadError(`Weights file ${weightsPath} is missing`);
  const raw = readFileSync(weightsPath);
  if (raw.byteLength !== manifest.weights.bytes) {
    throw new ModelLoadError(`Weights file ${weightsPath} has ${raw.byteLength} bytes, expected ${manifest.weights.bytes}`);
  }
  if (sha256(raw) !== manifest.weights.sha256) throw new ModelLoadError(`Weights file ${weightsPath} fails its sha256 check`);
  // Typed-array views need aligned offsets: copy into a fresh buffer if Node pooled the read.
  const buffer = raw.byteOffset % 8 === 0 ? raw.buffer : new Uint8Array(raw).buffer;
  const base = raw.byteOffset % 8 === 0 ? raw.byteOffset : 0;
  const arrays = {} as Record<SectionName, Int32Array | Float32Array>;
  for (const s of manifest.weights.sections) {
    const Ctor = s.dtype === 'int32' ? Int32Array : Float32Array;
    arrays[s.name] = new Ctor(buffer, base + s.offset, s.length);
  }
  const model: MfModel = {
    factors: manifest.factors,
    globalMean: manifest.globalMean,
    userIds: arrays.userIds as Int32Array,
    movieIds: arrays.movieIds as Int32Array,
    userBias: arrays.userBias as Float32Array,
    movieBias: arrays.movieBias as Float32Array,
    userFactors: arrays.userFactors as Float32Array,
    movieFactors: arrays.movieFactors as Float32Array,
  };
  if (manifest.fallbackGlobalMean !== undefined) {
    if (!arrays.fallbackUserBias || !arrays.fallbackMovieBias) {
      throw new ModelLoadError(`${dir}: model.json describes fallback biases but the weights lack their sections`);
    }
    model.fallback = {
      globalMean: manifest.fallbackGlobalMean,
      userBias: arrays.fallbackUserBias as Float32Array,
      movieBias: arrays.fallbackMovieBias as Float32Array,
    };
  }
  try {
    assertModelShape(model);
  } catch (error) {
    throw new ModelLoadError(`${dir}: ${(error as Error).message}`);
  }
  const popularity: PopularityRanking = {
    movieIds: arrays.popularMovieIds as Int32Array,
    scores: arrays.popularScores as Float32Array,
    counts: arrays.popularCounts as Int32Array,
  };
  let ranking: RankingModel | undefined;
  if (manifest.ranking) {
    const r = manifest.ranking;
    if (!arrays.rankingUserFactors || !arrays.rankingMovieFactors || !arrays.rankingMoviePrior) {
      throw new ModelLoadError(`${dir}: model.json describes a ranking model but the weights lack its sections`);
    }
    ranking = {
      factors: r.factors,
      userFactors: arrays.rankingUserFactors as Float32Array,
      movieFactors: arrays.rankingMovieFactors as Float32Array,
      moviePrior: arrays.rankingMoviePrior as Float32Array,
      weights: { ...r.weights },
      confidence: { ...r.confidence },
    };
    if (r.ease) {
      if (!arrays.easeMovies || !arrays.easeWeights || arrays.easeMovies.length !== r.ease.movies) {
        throw new ModelLoadError(`${dir}: model.json describes an EASE term of ${r.ease.movies} movies but the weights lack its sections`);
      }
      ranking.ease = {
        movies: arrays.easeMovies as Int32Array,
        weights: arrays.easeWeights as Float32Array,
        lambda: r.ease.lambda,
        ...(r.ease.input ? { input: { ...r.ease.input } } : {}),
      };
    }
    try {
      assertRankingShape(model, ranking);
    } catch (error) {
      throw new ModelLoadError(`${dir}: ${(error as Error).message}`);
    }
  }
  const contentMap = manifest.contentMap ? readContentMap(dir, manifest.contentMap) : undefined;
  const neighbourhood = manifest.neighbourhood ? neighbourhoodOf(dir, manifest.neighbourhood, arrays, model) : undefined;
  return {
    model,
    popularity,
    manifest,
    ...(ranking ? { ranking } : {}),
    ...(contentMap ? { contentMap } : {}),
    ...(neighbourhood ? { neighbourhood } : {}),
  };
}

function neighbourhoodOf(
  dir: string,
  entry: NeighbourhoodManifest,
  arrays: Record<SectionName, Int32Array | Float32Array>,
  model: MfModel,
): NeighbourhoodModel {
  const { neighbourOffsets, neighbourIndices, neighbourSimilarities, neighbourBlend } = arrays;
  if (!neighbourOffsets || !neighbourIndices || !neighbourSimilarities || !neighbourBlend || neighbourIndices.length !== entry.entries)
    throw new ModelLoadError(`${dir}: model.json describes a neighbourhood predictor of ${entry.entries} entries but the weights lack its sections`);
  const [rating, neighbourhood, confident, intercept] = neighbourBlend;
  const nb: NeighbourhoodModel = {
    offsets: neighbourOffsets as Int32Array,
    neighbours: neighbourIndices as Int32Array,
    similarities: neighbourSimilarities as Float32Array,
    k: entry.k,
    blend: { rating, neighbourhood, confident, intercept },
  };
  try {
    assertNeighbourhoodShape(model, nb);
  } catch (error) {
    throw new ModelLoadError(`${dir}: ${(error as Error).message}`);
  }
  return nb;
}

function readContentMap(dir: string, entry: ContentMapManifest): ContentMapArtifact {
  const path = join(dir, entry.file);
  if (!existsSync(path)) throw new ModelLoadError(`Content map ${path} is missing`);
  const text = readFileSync(path, 'utf8');
  if (sha256(text) !== entry.sha256) throw new ModelLoadError(`Content map ${path} fails its sha256 check`);
  try {
    return parseContentMap(text);
  } catch (error) {
    throw new ModelLoadError(`${path}: ${(error as Error).message}`);
  }
}
