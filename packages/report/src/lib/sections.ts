/** From data to report sections: statistics -> chart specs + takeaways (no rendering, no I/O). */
import type { ActivityError } from './activity-error.js';
import * as specs from './chart-specs.js';
import { coldStartShares, coldStartThresholds } from './cold-start.js';
import { modelCardHtml } from './model-card.js';
import type { ModelSummary } from './model-metrics.js';
import type { ChartDefinition } from './render-svg.js';
import { densityGrid } from './density.js';
import * as stats from './stats.js';
import * as say from './takeaways.js';

export interface ReportInput {
  dataset: string;
  columns: stats.RatingColumns;
  movies: readonly stats.MovieInfo[];
  /** training.popularityMinRatings of the config: the cold-start list's cut-off. */
  popularityMinRatings: number;
  /** null when there is no trained model (the model sections then say so). */
  model: ModelSummary | null;
  /** null when it could not be computed (no model); `modelNote` says why. */
  activity: ActivityError | null;
  modelNote?: string;
  generatedAt?: string;
}

export interface ReportSection {
  id: string;
  heading: string;
  intro: string;
  charts: ChartDefinition[];
  /** Extra trusted HTML after the charts (tables). */
  html?: string;
  /** Shown instead of the charts when the data for them is missing. */
  unavailable?: string;
}

export interface ReportOverview {
  dataset: string;
  sparsity: stats.Sparsity;
  meanRating: number;
  firstPeriod: string | null;
  lastPeriod: string | null;
}

export function buildSections(input: ReportInput): { overview: ReportOverview; sections: ReportSection[] } {
  const { columns, movies } = input;
  const sparsity = stats.sparsity(columns, movies.length);
  const meanRating = stats.meanOf(columns.ratings);
  const bins = stats.ratingDistribution(columns.ratings);
  const userCounts = [...stats.countById(columns.userIds).values()];
  const movieCounts = [...stats.countById(columns.movieIds).values()];
  const userBins = stats.logBinnedHistogram(userCounts);
  const movieBins = stats.logBinnedHistogram(movieCounts);
  const userTail = stats.longTail(userCounts);
  const movieTail = stats.longTail(movieCounts);
  const grid = densityGrid(columns);
  const genres = stats.genreStats(columns, movies);
  const years = stats.ratingsOverTime(columns, 'year');
  const months = stats.ratingsOverTime(columns, 'month');
  const minRatings = input.popularityMinRatings;
  const unrated = Math.max(0, movies.length - sparsity.ratedMovies);
  const coldRows = coldStartShares(userCounts, movieCounts, coldStartThresholds(minRatings), unrated);

  const chart = (id: string, title: string, takeaway: string, spec: ChartDefinition['spec']): ChartDefinition => ({ id, title, takeaway, spec });
  const sections: ReportSection[] = [
    {
      id: 'ratings',
      heading: 'Rating distribution',
      intro: 'How users use the half-star scale from 0.5 to 5.',
      charts: [chart('rating-distribution', 'Ratings at each star value', say.ratingTakeaway(bins, meanRating), specs.ratingDistributionSpec(bins))],
    },
    {
      id: 'long-tail',
      heading: 'Ratings per user and per movie: the long tail',
      intro: 'Activity is heavily skewed, so the histograms use power-of-two bins on a logarithmic axis.',
      charts: [
        chart('ratings-per-user', 'Ratings per user', say.perUserTakeaway(userTail), specs.activityHistogramSpec(userBins, 'user')),
        chart('ratings-per-movie', 'Ratings per movie', say.perMovieTakeaway(movieTail, movieBins), specs.activityHistogramSpec(movieBins, 'movie')),
        chart(
          'concentration',
          'Concentration of ratings',
          say.concentrationTakeaway(userTail, movieTail),
          specs.concentrationSpec(userTail, movieTail),
        ),
      ],
    },
    {
      id: 'sparsity',
      heading: 'Matrix sparsity',
      intro: 'The user × movie rating matrix with users sorted by activity and movies by popularity; white blocks hold no rating at all.',
      charts: [
        chart(
          'density',
          'Filled share of the rating matrix',
          say.sparsityTakeaway(sparsity, grid),
          specs.densitySpec(grid, sparsity.users, sparsity.ratedMovies),
        ),
      ],
    },
    {
      id: 'genres',
      heading: 'Genres: popularity and mean rating',
      intro: 'A movie counts once in each of its genres; the dashed line is the overall mean rating.',
      charts: [
        chart(
          'genres',
          'Movies, ratings and mean rating per genre',
          say.genreTakeaway(genres, minRatings, columns.ratings.length),
          specs.genreSpec(genres, meanRating),
        ),
      ],
    },
    {
      id: 'time',
      heading: 'Activity over time',
      intro: 'Ratings per calendar month (UTC) of their timestamp.',
      charts: [chart('over-time', 'Ratings per month', say.timeTakeaway(years), specs.overTimeSpec(months))],
    },
    coldStartSection(input, coldRows),
    modelSection(input),
  ];
  return {
    overview: {
      dataset: input.dataset,
      sparsity,
      meanRating,
      firstPeriod: years[0]?.period ?? null,
      lastPeriod: years[years.length - 1]?.period ?? null,
    },
    sections,
  };
}

function coldStartSection(input: ReportInput, rows: ReturnType<typeof coldStartShares>): ReportSection {
  const minRatings = input.popularityMinRatings;
  const charts: ChartDefinition[] = [
    {
      id: 'cold-start',
      title: 'Users and movies under the rating thresholds',
      takeaway: say.coldStartTakeaway(rows, minRatings),
      spec: specs.coldStartSpec(rows),
    },
  ];
  const activity = input.activity;
  if (activity && activity.buckets.length > 0) {
    charts.push({
      id: 'error-by-activity',
      title: 'Model error by user activity',
      takeaway: say.activityTakeaway(activity),
      spec: specs.activityErrorSpec(activity.buckets),
    });
  }
  const source = activity
    ? ` The error chart scores ${activity.testRows.toLocaleString('en-US')} held-out test ratings (source: metrics.json, from the model selected before the final refit, which never saw them).`
    : '';
  return {
    id: 'cold-start',
    heading: 'Cold start',
    intro: `Movies count as cold below ${minRatings} ratings (training.popularityMinRatings), where the popularity list stops; unrated catalogue movies count as cold too.${source}`,
    charts,
    unavailable: activity ? undefined : `Model error by user activity: not available (${input.modelNote ?? 'no trained model'}).`,
  };
}

function modelSection(input: ReportInput): ReportSection {
  const model = input.model;
  if (!model) {
    return {
      id: 'model',
      heading: 'Model card',
      intro: '',
      charts: [],
      unavailable: `Model card: not available (${input.modelNote ?? 'no trained model'}).`,
    };
  }
  const charts: ChartDefinition[] =
    model.history.length > 0
      ? [
          {
            id: 'training-curve',
            title: 'Training curve',
            takeaway: say.trainingCurveTakeaway(model.history, model.bestEpoch),
            spec: specs.trainingCurveSpec(model.history, model.bestEpoch),
          },
        ]
      : [];
  if (model.diversity)
    charts.push({
      id: 'diversity',
      title: `Diversity setting: NDCG@${model.k ?? 10} against variety`,
      takeaway: say.diversityTakeaway(model.diversity),
      spec: specs.diversitySpec(model.diversity, model.k ?? 10),
    });
  return {
    id: 'model',
    heading: 'Model card',
    intro: 'The served biased matrix-factorisation model next to the baselines, on the held-out test ratings (from metrics.json and model.json).',
    charts,
    html: modelCardHtml(model),
  };
}
