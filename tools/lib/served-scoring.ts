import {
  buildIndexing,
  groupByUser,
  indexRatings,
  rankingMetrics,
  ratingMetricsOf,
  readRatingsCsv,
  relevantItems,
  RELEVANCE_THRESHOLD,
  type RankingMetrics,
  type RatingsColumns,
} from '@reelrank/trainer';

/**
 * The steps of scoring a served model as a client: the split indexed by the protocol's rules, the
 * test rows through POST /predict/batch, every relevant user's list through POST /recommendations,
 * the lists checked (length, seen, non-train, duplicates), and the figures computed by the
 * trainer's own metric functions (ratingMetricsOf, rankingMetrics): no second implementation here.
 */

export const K = 10;
const BATCH = 1000;

/** train.csv and test.csv indexed by the train ids (the ranking protocol's candidates). */
export function loadSplit(trainPath: string, testPath: string) {
  const train = readRatingsCsv(trainPath);
  const test = readRatingsCsv(testPath);
  const indexing = buildIndexing(train);
  const trainIdx = indexRatings(train, indexing);
  const testIdx = indexRatings(test, indexing);
  return {
    train,
    test,
    indexing,
    trainIdx,
    testIdx,
    trainByUser: groupByUser(trainIdx, indexing.users.ids.length),
    relevant: relevantItems(testIdx, RELEVANCE_THRESHOLD),
  };
}
export type Split = ReturnType<typeof loadSplit>;

export async function postJson(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) };
  } catch {
    return { status: response.status, json: { raw: text.slice(0, 200) } };
  }
}

/** Runs `task(i)` for i in 0..n-1 with at most `limit` in flight. */
async function pool(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

export interface ServedRatings {
  rmse: number;
  mae: number;
  rows: number;
  /** Test rows of movies absent from train (answered through the biases) and their RMSE. */
  coldMovieRows: number;
  coldMovieRmse: number;
  coldUserRows: number;
  requests: number;
  seconds: number;
  notFound: number;
}

/** Every test row through POST /predict/batch (chunks of 1,000; a failed chunk row by row via /predict). */
export async function scoreServedRatings(url: string, split: Split, concurrency: number, problems: string[]): Promise<ServedRatings> {
  const { test, testIdx } = split;
  const n = test.ratings.length;
  const predicted = new Float32Array(n).fill(NaN);
  let notFound = 0;
  let errors = 0;
  let requests = 0;
  const started = performance.now();
  await pool(Math.ceil(n / BATCH), concurrency, async (c) => {
    const lo = c * BATCH;
    const hi = Math.min(n, lo + BATCH);
    const pairs: { user_id: number; movie_id: number }[] = [];
    for (let r = lo; r < hi; r++) pairs.push({ user_id: test.userIds[r], movie_id: test.movieIds[r] });
    const res = await postJson(`${url}/predict/batch`, { pairs });
    requests++;
    if (res.status === 200 && Array.isArray(res.json.predictions) && res.json.predictions.length === pairs.length) {
      res.json.predictions.forEach((p: any, j: number) => {
        if (p.user_id !== pairs[j].user_id || p.movie_id !== pairs[j].movie_id)
          throw new Error(`batch answer ${lo + j} is for another pair: ${JSON.stringify(p)}`);
        predicted[lo + j] = p.predicted_rating;
      });
      return;
    }
    for (let r = lo; r < hi; r++) {
      const one = await postJson(`${url}/predict`, pairs[r - lo]);
      requests++;
      if (one.status === 200) predicted[r] = one.json.predicted_rating;
      else if (one.status === 404) notFound++;
      else errors++;
    }
    if (errors) problems.push(`/predict/batch chunk ${c}: HTTP ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`);
  });
  const seconds = (performance.now() - started) / 1000;
  const answered: number[] = [];
  const cold: number[] = [];
  let coldUserRows = 0;
  for (let r = 0; r < n; r++) {
    if (testIdx.users[r] < 0) coldUserRows++;
    if (!Number.isFinite(predicted[r])) continue;
    if (predicted[r] < 0.5 || predicted[r] > 5) problems.push(`prediction ${predicted[r]} for row ${r} is outside 0.5..5`);
    answered.push(r);
    if (testIdx.movies[r] < 0) cold.push(r);
  }
  if (answered.length < n) problems.push(`${n - answered.length} of ${n} test rows got no prediction (${notFound} HTTP 404, ${errors} other errors)`);
  const all = ratingMetricsOf(predicted, test.ratings, answered);
  const coldMetrics = ratingMetricsOf(predicted, test.ratings, cold);
  return {
    rmse: all.rmse,
    mae: all.mae,
    rows: answered.length,
    coldMovieRows: cold.length,
    coldMovieRmse: coldMetrics.rmse,
    coldUserRows,
    requests,
    seconds,
    notFound,
  };
}

export interface ServedRanking {
  metrics: RankingMetrics;
  users: number;
  requests: number;
  seconds: number;
  strategies: Record<string, number>;
  shortLists: number;
  seenReturned: number;
  nonTrainReturned: number;
  duplicates: number;
}

/**
 * POST /recommendations (n = 10) for every user with >= 1 relevant test movie, the lists checked,
 * and P/R/NDCG@10 and coverage by the trainer's rankingMetrics fed a score row that ranks exactly
 * the served list (NaN elsewhere, which its top-N drops).
 */
export async function scoreServedRankings(url: string, split: Split, concurrency: number, problems: string[]): Promise<ServedRanking> {
  const { indexing, relevant, trainByUser } = split;
  const nMovies = indexing.movies.ids.length;
  const users = relevant.users;
  const lists: Int32Array[] = new Array(users.length);
  const strategies: Record<string, number> = {};
  let requests = 0;
  let failures = 0;
  const started = performance.now();
  await pool(users.length, concurrency, async (b) => {
    const userId = indexing.users.ids[users[b]];
    const res = await postJson(`${url}/recommendations`, { user_id: userId, n_recommendations: K });
    requests++;
    if (res.status !== 200 || !Array.isArray(res.json.recommendations)) {
      failures++;
      lists[b] = new Int32Array(0);
      if (failures <= 3) problems.push(`/recommendations user ${userId}: HTTP ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`);
      return;
    }
    strategies[res.json.strategy] = (strategies[res.json.strategy] ?? 0) + 1;
    lists[b] = Int32Array.from(res.json.recommendations.map((x: { movie_id: number }) => indexing.movies.indexOf(x.movie_id)));
  });
  const seconds = (performance.now() - started) / 1000;
  if (failures) problems.push(`${failures} /recommendations requests failed`);

  const checked = { shortLists: 0, seenReturned: 0, nonTrainReturned: 0, duplicates: 0 };
  lists.forEach((list, b) => {
    const u = users[b];
    const seen = new Set(trainByUser.movies.subarray(trainByUser.offsets[u], trainByUser.offsets[u + 1]));
    if (list.length < K) checked.shortLists++;
    checked.duplicates += list.length - new Set(list).size;
    for (const i of list) {
      if (i < 0) checked.nonTrainReturned++;
      else if (seen.has(i)) checked.seenReturned++;
    }
  });
  if (checked.shortLists) problems.push(`${checked.shortLists} lists shorter than ${K}`);
  if (checked.seenReturned) problems.push(`${checked.seenReturned} recommended movies were rated by the user in train`);
  if (checked.nonTrainReturned)
    problems.push(`${checked.nonTrainReturned} recommended movies are absent from train (outside the protocol's candidates)`);
  if (checked.duplicates) problems.push(`${checked.duplicates} duplicate movies inside lists`);

  const position = new Map<number, number>();
  users.forEach((u, b) => position.set(u, b));
  const row = new Float64Array(nMovies);
  const metrics = rankingMetrics({
    k: K,
    nMovies,
    train: trainByUser,
    relevant,
    batchSize: 1,
    score: (batch) => () => {
      row.fill(NaN);
      lists[position.get(batch[0])!].forEach((i, rank) => {
        if (i >= 0) row[i] = K + 1 - rank;
      });
      return row;
    },
  });
  return { metrics, users: users.length, requests, seconds, strategies, ...checked };
}

/** The most-rated train movies the user did not rate (ties by id), scored by the same function. */
export function popularityBaseline(split: Split): RankingMetrics {
  const nMovies = split.indexing.movies.ids.length;
  const counts = new Float64Array(nMovies);
  for (const i of split.trainIdx.movies) if (i >= 0) counts[i]++;
  return rankingMetrics({ k: K, nMovies, train: split.trainByUser, relevant: split.relevant, score: () => () => counts });
}

export type { RatingsColumns };
