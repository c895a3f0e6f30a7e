/**
 * Pure statistics over the rating columns and the movie list: everything the exploration report
 * charts, computed without a database so tests can feed tiny hand-made data sets.
 */

/** The columns `readRatingsColumns` returns (only the parts the report reads). */
export interface RatingColumns {
  userIds: Int32Array;
  movieIds: Int32Array;
  ratings: Float32Array;
  /** Seconds since the Unix epoch (MovieLens). */
  timestamps: Float64Array;
}

export interface MovieInfo {
  movieId: number;
  title: string;
  year: number | null;
  genres: string[];
}

export interface RatingBin {
  rating: number;
  count: number;
  share: number;
}

/** Counts of each half-star value 0.5..5.0 (all ten, zeros included). */
export function ratingDistribution(ratings: ArrayLike<number>): RatingBin[] {
  const counts = new Array<number>(10).fill(0);
  for (let r = 0; r < ratings.length; r++) {
    const slot = Math.round(ratings[r] * 2) - 1;
    if (slot >= 0 && slot < 10) counts[slot]++;
  }
  const total = ratings.length || 1;
  return counts.map((count, i) => ({ rating: (i + 1) / 2, count, share: count / total }));
}

export function meanOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : NaN;
}

/** Ratings per distinct id (user or movie), as a Map id -> count. */
export function countById(ids: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (let r = 0; r < ids.length; r++) counts.set(ids[r], (counts.get(ids[r]) ?? 0) + 1);
  return counts;
}

export interface LogBin {
  /** Inclusive bounds: [2^b, 2^(b+1) - 1]. */
  lower: number;
  upper: number;
  /** Users (or movies) whose count falls in the bin. */
  entities: number;
  /** Ratings those entities hold. */
  ratings: number;
}

/** Histogram of counts in power-of-two bins 1, 2-3, 4-7, ... (empty bins between non-empty ones kept). */
export function logBinnedHistogram(counts: Iterable<number>): LogBin[] {
  const bins: LogBin[] = [];
  for (const count of counts) {
    if (count < 1) continue;
    const b = Math.floor(Math.log2(count));
    while (bins.length <= b) bins.push({ lower: 2 ** bins.length, upper: 2 ** (bins.length + 1) - 1, entities: 0, ratings: 0 });
    bins[b].entities++;
    bins[b].ratings += count;
  }
  const first = bins.findIndex((bin) => bin.entities > 0);
  return first < 0 ? [] : bins.slice(first);
}

export interface LongTail {
  entities: number;
  ratings: number;
  median: number;
  max: number;
  /** Share of all ratings held by the top 10% entities (at least one). */
  topDecileShare: number;
  /** Smallest share of entities (most active first) that together hold half of the ratings. */
  shareForHalf: number;
  /** Cumulative curve: x share of entities (most active first) -> y share of ratings, <= ~200 points. */
  curve: { entityShare: number; ratingShare: number }[];
}

export function longTail(countsIn: Iterable<number>): LongTail {
  const counts = Float64Array.from(countsIn).sort().reverse();
  const n = counts.length;
  let total = 0;
  for (const c of counts) total += c;
  const top = Math.max(1, Math.ceil(n * 0.1));
  let topSum = 0;
  let cumulative = 0;
  let forHalf = 0;
  const step = Math.max(1, Math.floor(n / 200));
  const curve = [{ entityShare: 0, ratingShare: 0 }];
  for (let i = 0; i < n; i++) {
    cumulative += counts[i];
    if (i < top) topSum += counts[i];
    if (forHalf === 0 && cumulative >= total / 2) forHalf = i + 1;
    if ((i + 1) % step === 0 || i === n - 1) curve.push({ entityShare: (i + 1) / n, ratingShare: cumulative / total });
  }
  const median = n === 0 ? 0 : n % 2 ? counts[(n - 1) / 2] : (counts[n / 2 - 1] + counts[n / 2]) / 2;
  return {
    entities: n,
    ratings: total,
    median,
    max: n ? counts[0] : 0,
    topDecileShare: total ? topSum / total : 0,
    shareForHalf: n ? forHalf / n : 0,
    curve,
  };
}

export interface Sparsity {
  users: number;
  /** Movies with at least one rating. */
  ratedMovies: number;
  /** Movies in the catalogue (rated or not). */
  catalogMovies: number;
  ratings: number;
  /** ratings / (users * ratedMovies). */
  density: number;
}

export function sparsity(columns: RatingColumns, catalogMovies: number): Sparsity {
  const users = new Set(columns.userIds).size;
  const ratedMovies = new Set(columns.movieIds).size;
  const ratings = columns.ratings.length;
  return { users, ratedMovies, catalogMovies, ratings, density: users && ratedMovies ? ratings / (users * ratedMovies) : 0 };
}

export interface GenreStat {
  genre: string;
  /** Movies of the catalogue listing the genre. */
  movies: number;
  ratings: number;
  meanRating: number;
}

export const NO_GENRE = '(no genres listed)';

/** Movies, ratings and mean rating per genre (a movie counts once in each of its genres), most rated first. */
export function genreStats(columns: RatingColumns, movies: readonly MovieInfo[]): GenreStat[] {
  const genresOf = new Map<number, string[]>();
  const stats = new Map<string, { movies: number; ratings: number; sum: number }>();
  const entry = (genre: string) => {
    let s = stats.get(genre);
    if (!s) stats.set(genre, (s = { movies: 0, ratings: 0, sum: 0 }));
    return s;
  };
  for (const movie of movies) {
    const genres = movie.genres.length ? movie.genres : [NO_GENRE];
    genresOf.set(movie.movieId, genres);
    for (const genre of genres) entry(genre).movies++;
  }
  for (let r = 0; r < columns.movieIds.length; r++) {
    for (const genre of genresOf.get(columns.movieIds[r]) ?? [NO_GENRE]) {
      const s = entry(genre);
      s.ratings++;
      s.sum += columns.ratings[r];
    }
  }
  return [...stats]
    .map(([genre, s]) => ({ genre, movies: s.movies, ratings: s.ratings, meanRating: s.ratings ? s.sum / s.ratings : NaN }))
    .sort((a, b) => b.ratings - a.ratings || a.genre.localeCompare(b.genre));
}

export interface PeriodCount {
  /** "YYYY" or "YYYY-MM" (UTC). */
  period: string;
  ratings: number;
  meanRating: number;
}

/** Ratings and mean rating per UTC year or month, in time order (periods without ratings omitted). */
export function ratingsOverTime(columns: RatingColumns, unit: 'year' | 'month'): PeriodCount[] {
  const stats = new Map<string, { ratings: number; sum: number }>();
  for (let r = 0; r < columns.timestamps.length; r++) {
    const iso = new Date(columns.timestamps[r] * 1000).toISOString();
    const key = unit === 'year' ? iso.slice(0, 4) : iso.slice(0, 7);
    const s = stats.get(key) ?? { ratings: 0, sum: 0 };
    s.ratings++;
    s.sum += columns.ratings[r];
    stats.set(key, s);
  }
  return [...stats].sort((a, b) => a[0].localeCompare(b[0])).map(([period, s]) => ({ period, ratings: s.ratings, meanRating: s.sum / s.ratings }));
}
