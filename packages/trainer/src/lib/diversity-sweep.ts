import {
  easeScorer,
  mmrRerank,
  rankingScoringModel,
  TensorScorer,
  topN,
  unitCosine,
  unitRows,
  type MfModel,
  type RankingModel,
  type Tf,
} from '@reelrank/model';
import { addEaseRows } from './ease-rows.js';
import type { EvaluationData } from './evaluate.js';
import { rankingMetrics } from './ranking-metrics.js';

/**
 * What the serving `diversity` setting costs and buys, on the test protocol of the ranking metrics
 * (ranking-metrics.ts: the same users, candidates = movies the user did not rate in train, relevant =
 * held-out rating >= 4): for each setting, every user's top `pool` by the served ranking score is
 * re-ranked by maximal marginal relevance on the cosine of the ranker's implicit item factors (what the API does,
 * diverse-picks.ts in @reelrank/serving) and the top K scored:
 * - NDCG@K and catalogue coverage as rankingMetrics computes them;
 * - intra-list diversity: the mean over users of the mean pairwise (1 − cosine) of the K picks;
 * - novelty: the mean self-information −log2(share of train users who rated the movie) of the picks.
 */
export const DIVERSITY_SETTINGS = [0, 0.25, 0.5, 0.75] as const;
/** The serving pool (DIVERSITY_POOL of @reelrank/serving): the candidates MMR chooses from. */
export const DIVERSITY_EVAL_POOL = 200;

export interface DiversityPoint {
  diversity: number;
  ndcg: number;
  intraListDiversity: number;
  coverage: number;
  novelty: number;
  users: number;
}

/** The sweep fed batch by batch with score rows computed elsewhere (the ranker's test evaluation shares its rows). */
export interface DiversityAccumulator {
  /** One batch of `data.relevant`'s users, in order, and their served ranking rows (row b at b·nMovies). */
  addBatch(batch: Int32Array, rows: Float32Array): void;
  /** Users added so far. */
  readonly users: number;
  finish(): DiversityPoint[];
}

export function diversityAccumulator(
  ratingModel: MfModel,
  ranking: RankingModel,
  data: EvaluationData,
  options: { k: number; settings?: readonly number[]; pool?: number },
): DiversityAccumulator {
  const { k } = options;
  const settings = options.settings ?? DIVERSITY_SETTINGS;
  const pool = options.pool ?? DIVERSITY_EVAL_POOL;
  const nMovies = ratingModel.movieIds.length;
  const items = data.trainItems;
  // The serving similarity (diverse-picks.ts): the ranker's implicit item factors.
  const cosine = unitCosine(unitRows(ranking.movieFactors, ranking.factors), ranking.factors);
  // Self-information of each movie: −log2 of the share of train users who rated it.
  const raters = new Float64Array(nMovies);
  const nUsers = items.offsets.length - 1;
  for (let n = 0; n < items.movies.length; n++) raters[items.movies[n]]++;
  const selfInformation = Float64Array.from(raters, (r) => (r > 0 ? -Math.log2(r / nUsers) : 0));

  const picks = settings.map(() => new Map<number, number[]>());
  const ild = new Float64Array(settings.length);
  const novelty = new Float64Array(settings.length);
  const mask = new Uint8Array(nMovies);
  let added = 0;
  /** One user's pool, MMR picks at every setting, and their intra-list diversity and novelty. */
  const sweepUser = (u: number, row: ArrayLike<number>) => {
    const seen = items.movies.subarray(items.offsets[u], items.offsets[u + 1]);
    for (const i of seen) mask[i] = 1;
    const candidates = topN(row, pool, mask);
    for (const i of seen) mask[i] = 0;
    const relevance = candidates.map((i) => row[i]);
    settings.forEach((diversity, s) => {
      const list = mmrRerank(candidates, relevance, k, diversity, cosine);
      picks[s].set(u, list);
      let pairs = 0;
      let distance = 0;
      for (let a = 0; a < list.length; a++)
        for (let b = a + 1; b < list.length; b++) {
          distance += 1 - cosine(list[a], list[b]);
          pairs++;
        }
      ild[s] += pairs ? distance / pairs : 0;
      novelty[s] += list.length ? list.reduce((sum, i) => sum + selfInformation[i], 0) / list.length : 0;
    });
  };
  const finish = (): DiversityPoint[] => {
    const users = data.relevant.users.length;
    const ranked = new Float32Array(nMovies);
    return settings.map((diversity, s) => {
      // rankingMetrics on a row that puts the user's MMR picks first, in order: the same NDCG and coverage definitions.
      const metrics = rankingMetrics({
        k,
        nMovies,
        train: items,
        relevant: data.relevant,
        score: (batch) => (b) => {
          ranked.fill(NaN); // topN skips NaN: only the picks rank
          const list = picks[s].get(batch[b]) ?? [];
          list.forEach((i, rank) => (ranked[i] = list.length - rank));
          return ranked;
        },
      });
      return {
        diversity,
        ndcg: metrics.ndcg,
        intraListDiversity: users ? ild[s] / users : NaN,
        coverage: metrics.coverage,
        novelty: users ? novelty[s] / users : NaN,
        users,
      };
    });
  };
  return {
    addBatch(batch, rows) {
      if (data.relevant.users[added] !== batch[0] && batch.length > 0) throw new Error('diversityAccumulator: batches out of order');
      batch.forEach((u, b) => sweepUser(u, rows.subarray(b * nMovies, (b + 1) * nMovies)));
      added += batch.length;
    },
    get users() {
      return added;
    },
    finish,
  };
}

export function diversitySweep(
  ratingModel: MfModel,
  ranking: RankingModel,
  data: EvaluationData,
  options: { tf: Tf; k: number; settings?: readonly number[]; pool?: number; batchSize?: number },
): DiversityPoint[] {
  const nMovies = ratingModel.movieIds.length;
  const ease = ranking.ease && ranking.weights.ease ? easeScorer(ranking.ease, nMovies) : null;
  const sweep = diversityAccumulator(ratingModel, ranking, data, options);
  // Scored in batches as the ranking metrics score them (the TF.js scorer, plus the EASE term).
  const scorer = new TensorScorer(options.tf, rankingScoringModel(ratingModel, ranking));
  const batchSize = options.batchSize ?? 256;
  try {
    const all = data.relevant.users;
    for (let start = 0; start < all.length; start += batchSize) {
      const batch = all.subarray(start, Math.min(all.length, start + batchSize));
      const scores = scorer.scoreUsers(batch);
      sweep.addBatch(batch, ease ? addEaseRows(ease, data.trainItems, batch, nMovies, ranking.weights.ease ?? 0, Float32Array.from(scores)) : scores);
    }
  } finally {
    scorer.dispose();
  }
  return sweep.finish();
}
