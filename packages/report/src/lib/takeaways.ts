/** One-line takeaways, each computed from the data its chart shows (nothing here is hard-coded). */
import type { ColdStartRow } from './cold-start.js';
import type { ActivityError } from './activity-error.js';
import { fixed, int, pct } from './format.js';
import type { DiversityRow, EpochPoint } from './model-metrics.js';
import type { DensityCell } from './density.js';
import type { GenreStat, LogBin, LongTail, PeriodCount, RatingBin, Sparsity } from './stats.js';

export function ratingTakeaway(bins: readonly RatingBin[], mean: number): string {
  const mode = bins.reduce((best, bin) => (bin.count > best.count ? bin : best), bins[0]);
  const high = bins.filter((b) => b.rating >= 4).reduce((s, b) => s + b.share, 0);
  const whole = bins.filter((b) => Number.isInteger(b.rating)).reduce((s, b) => s + b.share, 0);
  return `${mode.rating.toFixed(1)} stars is the most common rating (${pct(mode.share)}); the mean is ${mean.toFixed(2)}, ${pct(high)} of ratings are 4 stars or more and ${pct(whole)} are whole stars.`;
}

export function perUserTakeaway(tail: LongTail): string {
  return `The median user rated ${int(tail.median)} movies and the most active one ${int(tail.max)}: the top 10% of users account for ${pct(tail.topDecileShare)} of all ratings.`;
}

export function perMovieTakeaway(tail: LongTail, bins: readonly LogBin[]): string {
  const single = bins.find((b) => b.lower === 1)?.entities ?? 0;
  return `${pct(tail.entities ? single / tail.entities : 0)} of rated movies have a single rating and the median movie has ${int(tail.median)}, while the most rated has ${int(tail.max)}.`;
}

export function concentrationTakeaway(users: LongTail, movies: LongTail): string {
  return `Half of all ratings come from the ${pct(users.shareForHalf)} most active users and go to the ${pct(movies.shareForHalf)} most rated movies.`;
}

export function sparsityTakeaway(s: Sparsity, cells: readonly DensityCell[]): string {
  const corner = cells.find((c) => c.userBlock === 0 && c.movieBlock === 0)?.density ?? 0;
  return `Only ${pct(s.density)} of the ${int(s.users)} × ${int(s.ratedMovies)} user-movie cells hold a rating; even the corner of the most active users × most rated movies is ${pct(corner)} filled.`;
}

export function genreTakeaway(genres: readonly GenreStat[], minRatings: number, totalRatings: number): string {
  if (genres.length === 0) return 'No genres in the catalogue.';
  const rated = genres.filter((g) => g.ratings >= minRatings);
  const pool = rated.length ? rated : genres;
  const best = pool.reduce((a, b) => (b.meanRating > a.meanRating ? b : a));
  const worst = pool.reduce((a, b) => (b.meanRating < a.meanRating ? b : a));
  const top = genres[0];
  return `${top.genre} is the most rated genre (on ${pct(totalRatings ? top.ratings / totalRatings : 0)} of all ratings); among genres with at least ${int(minRatings)} ratings, ${best.genre} rates highest (${best.meanRating.toFixed(2)}) and ${worst.genre} lowest (${worst.meanRating.toFixed(2)}).`;
}

export function timeTakeaway(years: readonly PeriodCount[]): string {
  if (years.length === 0) return 'No ratings carry a timestamp.';
  const total = years.reduce((s, y) => s + y.ratings, 0);
  const busiest = years.reduce((a, b) => (b.ratings > a.ratings ? b : a));
  return `Ratings span ${years[0].period}-${years[years.length - 1].period}; the busiest year, ${busiest.period}, holds ${pct(busiest.ratings / total)} of them (${int(busiest.ratings)}).`;
}

export function coldStartTakeaway(rows: readonly ColdStartRow[], minRatings: number): string {
  const at = (entity: ColdStartRow['entity']) => rows.find((r) => r.entity === entity && r.threshold === minRatings);
  const users = at('users');
  const movies = at('movies');
  if (!users || !movies) return 'Cold-start thresholds not available.';
  return `${pct(movies.share)} of movies (${int(movies.count)}) but ${pct(users.share)} of users have fewer than ${int(minRatings)} ratings, the cut-off of the cold-start popularity list: cold start here is a movie problem.`;
}

export function activityTakeaway(activity: ActivityError): string {
  const b = activity.buckets;
  if (b.length === 0) return 'No test ratings to score.';
  const first = b[0];
  const last = b[b.length - 1];
  if (b.length === 1) return `Test RMSE is ${fixed(first.rmse)} over all ${int(first.rows)} test ratings (one activity bucket).`;
  const trend = first.rmse > last.rmse ? 'higher' : 'not higher';
  return `Test RMSE is ${trend} for the least active users (${fixed(first.rmse)} with ${first.label} training ratings) than for the most active (${fixed(last.rmse)} with ${last.label}).`;
}

export function trainingCurveTakeaway(history: readonly EpochPoint[], bestEpoch: number | null): string {
  const validated = history.filter((h) => h.validationRmse !== null);
  if (validated.length === 0) return 'No validation history recorded.';
  const best = validated.reduce((a, b) => (b.validationRmse! < a.validationRmse! ? b : a));
  return `Validation RMSE bottoms out at ${fixed(best.validationRmse)} at epoch ${best.epoch} of ${history.length}${bestEpoch !== null && bestEpoch !== best.epoch ? ` (selected epoch: ${bestEpoch})` : ''}.`;
}

/** What the largest diversity setting costs in NDCG and buys in list variety, coverage and novelty, relative to 0. */
export function diversityTakeaway(rows: readonly DiversityRow[]): string {
  const plain = rows.reduce((lo, r) => (r.diversity < lo.diversity ? r : lo), rows[0]);
  const most = rows.reduce((hi, r) => (r.diversity > hi.diversity ? r : hi), rows[0]);
  const change = (a: number, b: number) => pct(a ? (b - a) / a : 0);
  return `Diversity ${most.diversity} changes NDCG by ${change(plain.ndcg, most.ndcg)} against 0, intra-list diversity by ${change(plain.intraListDiversity, most.intraListDiversity)}, catalogue coverage by ${change(plain.coverage, most.coverage)} and novelty by ${change(plain.novelty, most.novelty)} (${fixed(plain.novelty, 2)} to ${fixed(most.novelty, 2)} bits).`;
}
