import type { Recommender } from '@reelrank/serving';
import { UsageError } from './errors.js';
import { formatTable, truncate } from './table.js';
import type { Command } from './command.js';

type Item = {
  movie_id: number;
  title: string;
  year: number | null;
  genres: string[];
  predicted_rating?: number;
  similarity?: number;
  because?: { text?: string } | null;
};

function itemTable(items: Item[], score: 'predicted_rating' | 'similarity'): string {
  return formatTable(
    ['#', 'movie_id', 'title', score === 'similarity' ? 'similarity' : 'predicted', 'genres'],
    items.map((m, i) => [i + 1, m.movie_id, truncate(m.title, 48), (m[score] ?? 0).toFixed(3), m.genres.join('|')]),
  );
}

export function positiveInt(value: string | undefined, name: string, usage: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UsageError(`--${name} is required`, usage);
  }
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer, got "${value}"`, usage);
  return n;
}

/** `260=5,1196=4.5` -> ratings; each rating 0.5..5 in half steps. */
export function parseRatings(text: string, usage: string): { movieId: number; rating: number }[] {
  return text.split(',').map((pair) => {
    const match = /^\s*(\d+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(pair);
    const rating = match ? Number(match[2]) : NaN;
    if (!match || rating < 0.5 || rating > 5 || !Number.isInteger(rating * 2)) {
      throw new UsageError(`--rate takes movie=rating pairs with ratings 0.5..5 in half steps, got "${pair}"`, usage);
    }
    return { movieId: Number(match[1]), rating };
  });
}

export const recommendCommand: Command = {
  name: 'recommend',
  summary: 'Top-N movies for a known user, or for a new user from a few ratings',
  usage: 'reelrank recommend (--user ID | --rate MOVIE=RATING,...) [-n N] [--genre GENRE] [--json]',
  options: { user: { type: 'string' }, rate: { type: 'string' }, n: { type: 'string', short: 'n' }, genre: { type: 'string', multiple: true } },
  needsModel: true,
  run({ values, recommender, usage }) {
    const n = positiveInt(values.n as string | undefined, 'n', usage, 10);
    const genres = values.genre as string[] | undefined;
    if ((values.user === undefined) === (values.rate === undefined)) throw new UsageError('give exactly one of --user or --rate', usage);
    const r = recommender as Recommender;
    if (values.user !== undefined) {
      const userId = positiveInt(values.user as string, 'user', usage);
      const result = r.recommend(userId, { n, genres });
      return {
        json: { user_id: userId, ...result, model_version: r.manifest.version },
        text: `user ${userId}: ${result.strategy}\n${itemTable(result.recommendations, 'predicted_rating')}`,
      };
    }
    const ratings = parseRatings(values.rate as string, usage);
    const result = r.recommendForNewUser(ratings, { n, genres });
    return {
      json: {
        strategy: result.strategy,
        ratings_used: result.ratingsUsed,
        recommendations: result.recommendations,
        model_version: r.manifest.version,
      },
      text: `new user (${result.ratingsUsed} ratings used): ${result.strategy}\n${itemTable(result.recommendations, 'predicted_rating')}`,
    };
  },
};

// Declarative like the other commands (alike by shape only): name, usage and flags; parsing and running are the CLI's, once.
export const predictCommand: Command = {
  name: 'predict',
  summary: 'Predicted rating of a movie for a user (clipped to 0.5..5.0)',
  usage: 'reelrank predict --user ID --movie ID [--json]',
  options: { user: { type: 'string' }, movie: { type: 'string' } },
  needsModel: true,
  run({ values, recommender, usage }) {
    const userId = positiveInt(values.user as string | undefined, 'user', usage);
    const movieId = positiveInt(values.movie as string | undefined, 'movie', usage);
    const predicted = (recommender as Recommender).predict(userId, movieId);
    const title = (recommender as Recommender).movie(movieId).title;
    return {
      json: { user_id: userId, movie_id: movieId, predicted_rating: predicted, model_version: (recommender as Recommender).manifest.version },
      text: `user ${userId}, movie ${movieId} (${title}): ${predicted.toFixed(3)}`,
    };
  },
};

// Declarative like the other commands (alike by shape only): name, usage and flags; parsing and running are the CLI's, once.
export const similarCommand: Command = {
  name: 'similar',
  summary: 'Movies closest to a movie (cosine over item factors)',
  usage: 'reelrank similar --movie ID [-n N] [--json]',
  options: { movie: { type: 'string' }, n: { type: 'string', short: 'n' } },
  needsModel: true,
  run({ values, recommender, usage }) {
    const movieId = positiveInt(values.movie as string | undefined, 'movie', usage);
    const n = positiveInt(values.n as string | undefined, 'n', usage, 10);
    const r = recommender as Recommender;
    const result = r.similar(movieId, n);
    return { json: result, text: `similar to ${movieId} (${r.movie(movieId).title}):\n${itemTable(result.similar, 'similarity')}` };
  },
};

// Declarative like the other commands (alike by shape only): name, usage and flags; parsing and running are the CLI's, once.
export const searchCommand: Command = {
  name: 'search',
  summary: 'Find movies by title (prefix or words), optionally in a genre',
  usage: 'reelrank search "TITLE" [--genre GENRE] [-n N] [--json]',
  options: { genre: { type: 'string' }, n: { type: 'string', short: 'n' } },
  needsModel: true,
  run({ values, positionals, recommender, usage }) {
    const query = positionals.join(' ').trim();
    if (!query && values.genre === undefined) throw new UsageError('give a title to search for (or --genre)', usage);
    const limit = positiveInt(values.n as string | undefined, 'n', usage, 20);
    const result = (recommender as Recommender).search({ query: query || undefined, genre: values.genre as string | undefined, limit, offset: 0 });
    const table = formatTable(
      ['movie_id', 'title', 'year', 'genres'],
      result.movies.map((m) => [m.movie_id, truncate(m.title, 56), m.year, m.genres.join('|')]),
    );
    return {
      json: result,
      text: `${result.total} match${result.total === 1 ? '' : 'es'}${result.total > limit ? ` (first ${limit})` : ''}\n${table}`,
    };
  },
};
