/** Declarative Vega-Lite specs, one per chart. Every axis has a title; long-tailed axes are log scales. */
import type { TopLevelSpec } from 'vega-lite';
import type { ActivityBucket, ColdStartRow } from './cold-start.js';
import type { DiversityRow, EpochPoint } from './model-metrics.js';
import type { DensityCell } from './density.js';
import type { GenreStat, LogBin, LongTail, PeriodCount, RatingBin } from './stats.js';

const WIDTH = 600;
const HEIGHT = 260;
const BAR = '#3b6ea5';
const SERIES = { domain: ['users', 'movies'], range: ['#3b6ea5', '#d9822b'] };

/** Look shared by every chart: readable fonts, light grid, white background (printable). */
const CONFIG = {
  background: 'white',
  font: 'DejaVu Sans, Verdana, sans-serif',
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: null },
} as const;

export function base(description: string, width = WIDTH, height = HEIGHT) {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', description, width, height, config: CONFIG } as const;
}

export function ratingDistributionSpec(bins: readonly RatingBin[]): TopLevelSpec {
  return {
    ...base('Bar chart of the number of ratings at each half-star value'),
    data: { values: bins.map((b) => ({ rating: b.rating.toFixed(1), count: b.count, share: b.share })) },
    mark: { type: 'bar', color: BAR },
    encoding: {
      x: { field: 'rating', type: 'ordinal', title: 'Rating (stars)', axis: { labelAngle: 0 } },
      y: { field: 'count', type: 'quantitative', title: 'Number of ratings', axis: { format: '~s' } },
      tooltip: [{ field: 'rating' }, { field: 'count', format: ',.0f' }, { field: 'share', format: '.1%' }],
    },
  };
}

/** Power-of-two bins drawn on a log2 x axis, so each bin has the same width. */
export function activityHistogramSpec(bins: readonly LogBin[], entity: 'user' | 'movie'): TopLevelSpec {
  const plural = `${entity}s`;
  return {
    ...base(`Histogram of the number of ratings per ${entity}, log-2 binned, showing a long tail`),
    data: {
      values: bins.map((b) => ({
        lower: b.lower,
        end: b.upper + 1,
        range: b.lower === b.upper ? `${b.lower}` : `${b.lower}-${b.upper}`,
        entities: b.entities,
        ratings: b.ratings,
      })),
    },
    mark: { type: 'rect', color: entity === 'user' ? SERIES.range[0] : SERIES.range[1], stroke: 'white', strokeWidth: 1 },
    encoding: {
      x: {
        field: 'lower',
        type: 'quantitative',
        scale: { type: 'log', base: 2 },
        title: `Ratings per ${entity} (log scale, bins 1, 2-3, 4-7, ...)`,
        axis: { format: ',.0f' },
      },
      x2: { field: 'end' },
      y: { field: 'entities', type: 'quantitative', title: `Number of ${plural}` },
      y2: { datum: 0 },
      tooltip: [
        { field: 'range', title: 'ratings' },
        { field: 'entities', title: plural, format: ',.0f' },
      ],
    },
  };
}

/** Cumulative share of ratings held by the most active users / most rated movies (a Lorenz-style curve). */
export function concentrationSpec(users: LongTail, movies: LongTail): TopLevelSpec {
  const values = [...users.curve.map((p) => ({ ...p, series: 'users' })), ...movies.curve.map((p) => ({ ...p, series: 'movies' }))];
  return {
    ...base('Line chart: cumulative share of ratings against the share of users or movies, most active first'),
    data: { values },
    layer: [
      {
        mark: { type: 'line', strokeWidth: 2.5 },
        encoding: {
          x: {
            field: 'entityShare',
            type: 'quantitative',
            title: 'Share of users or movies, most active first',
            axis: { format: '%', tickCount: 10 },
          },
          y: { field: 'ratingShare', type: 'quantitative', title: 'Cumulative share of all ratings', axis: { format: '%' } },
          color: { field: 'series', type: 'nominal', title: 'Ranked', scale: SERIES, legend: { orient: 'bottom-right' } },
        },
      },
      { mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { y: { datum: 0.5 } } },
    ],
  };
}

/** An unlabelled ordinal axis over blocks 0..blocks-1 of the density heat map. */
function blockAxis(field: string, title: string, blocks: number) {
  return { field, type: 'ordinal' as const, title, axis: { labels: false, ticks: false }, scale: { domain: [...Array(blocks).keys()] } };
}

export function densitySpec(cells: readonly DensityCell[], users: number, movies: number): TopLevelSpec {
  const userBlocks = new Set(cells.map((c) => c.userBlock)).size || 1;
  const movieBlocks = new Set(cells.map((c) => c.movieBlock)).size || 1;
  return {
    ...base(
      `Heat map of the rating matrix: share of rated cells in blocks of about ${Math.round(users / userBlocks)} users (rows) by ${Math.round(movies / movieBlocks)} movies (columns)`,
      WIDTH,
      300,
    ),
    data: { values: cells.filter((c) => c.density > 0) },
    mark: { type: 'rect' },
    encoding: {
      x: blockAxis('movieBlock', `Movies, most rated first (${movieBlocks} groups)`, movieBlocks),
      y: blockAxis('userBlock', `Users, most active first (${userBlocks} groups)`, userBlocks),
      color: { field: 'density', type: 'quantitative', title: 'Cells rated', scale: { type: 'log', scheme: 'blues' }, legend: { format: '.1~%' } },
      tooltip: [{ field: 'userBlock' }, { field: 'movieBlock' }, { field: 'density', format: '.2%' }],
    },
  };
}

export function genreSpec(genres: readonly GenreStat[], globalMean: number): TopLevelSpec {
  const sort = { field: 'ratings', order: 'descending' } as const;
  const y = { field: 'genre', type: 'nominal', title: 'Genre', sort } as const;
  const height = Math.max(120, genres.length * 18);
  return {
    $schema: base('').$schema,
    description: 'Per genre: number of movies, number of ratings and mean rating',
    config: CONFIG,
    data: { values: genres.map((g) => ({ ...g })) },
    hconcat: [
      {
        width: 170,
        height,
        mark: { type: 'bar', color: '#7a9cc6' },
        encoding: { y, x: { field: 'movies', type: 'quantitative', title: 'Movies in the genre', axis: { format: '~s' } } },
      },
      {
        width: 170,
        height,
        mark: { type: 'bar', color: BAR },
        encoding: {
          y: { ...y, axis: { labels: false } },
          x: { field: 'ratings', type: 'quantitative', title: 'Ratings of the genre', axis: { format: '~s' } },
        },
      },
      {
        width: 170,
        height,
        layer: [
          {
            mark: { type: 'point', filled: true, color: '#d9822b', size: 60 },
            encoding: {
              y: { ...y, axis: { labels: false } },
              x: { field: 'meanRating', type: 'quantitative', title: 'Mean rating (stars)', scale: { zero: false } },
            },
          },
          { mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { x: { datum: globalMean } } },
        ],
      },
    ],
  };
}

export function overTimeSpec(months: readonly PeriodCount[]): TopLevelSpec {
  return {
    ...base('Bar chart of the number of ratings given each month'),
    data: { values: months.map((m) => ({ month: `${m.period}-01T00:00:00Z`, ratings: m.ratings, meanRating: m.meanRating })) },
    mark: { type: 'bar', color: BAR },
    encoding: {
      x: {
        field: 'month',
        type: 'temporal',
        timeUnit: 'utcyearmonth',
        title: 'Month the rating was given (UTC)',
        axis: { format: '%Y', labelOverlap: true },
      },
      y: { field: 'ratings', type: 'quantitative', title: 'Ratings per month', axis: { format: ',.0f' } },
      tooltip: [
        { field: 'month', type: 'temporal', timeUnit: 'utcyearmonth' },
        { field: 'ratings', format: ',.0f' },
      ],
    },
  };
}

export function coldStartSpec(rows: readonly ColdStartRow[]): TopLevelSpec {
  const x = {
    field: 'below',
    type: 'ordinal',
    title: 'Number of ratings',
    sort: [...new Set(rows.map((r) => `fewer than ${r.threshold}`))],
    axis: { labelAngle: 0 },
  } as const;
  const xOffset = { field: 'entity', sort: SERIES.domain } as const;
  const y = {
    field: 'share',
    type: 'quantitative',
    title: 'Share under the threshold',
    axis: { format: '%' },
    scale: { domain: [0, 1] as number[] },
  } as const;
  return {
    ...base('Grouped bar chart: share of users and of movies with fewer ratings than each threshold'),
    data: { values: rows.map((r) => ({ ...r, below: `fewer than ${r.threshold}`, label: `${Math.round(r.share * 1000) / 10}%` })) },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x,
          xOffset,
          y,
          color: { field: 'entity', type: 'nominal', title: 'Share of', scale: SERIES },
          tooltip: [{ field: 'entity' }, { field: 'below' }, { field: 'count', format: ',.0f' }, { field: 'share', format: '.1%' }],
        },
      },
      { mark: { type: 'text', dy: -6, fontSize: 11, color: '#444' }, encoding: { x, xOffset, y, text: { field: 'label' } } },
    ],
  };
}

export function activityErrorSpec(buckets: readonly ActivityBucket[]): TopLevelSpec {
  const x = {
    field: 'label',
    type: 'ordinal',
    title: "User's number of training ratings",
    sort: buckets.map((b) => b.label),
    axis: { labelAngle: 0 },
  } as const;
  const y = { field: 'rmse', type: 'quantitative', title: 'Test RMSE (stars)' } as const;
  return {
    ...base('Bar chart of the test RMSE for users grouped by how many ratings they have'),
    data: { values: buckets.map((b) => ({ ...b, note: `${b.rows.toLocaleString('en-US')} ratings` })) },
    layer: [
      {
        mark: { type: 'bar', color: BAR },
        encoding: {
          x,
          y,
          tooltip: [
            { field: 'label', title: 'training ratings' },
            { field: 'users', format: ',.0f' },
            { field: 'rows', title: 'test ratings', format: ',.0f' },
            { field: 'rmse', format: '.3f' },
            { field: 'mae', format: '.3f' },
          ],
        },
      },
      { mark: { type: 'text', dy: -6, fontSize: 11, color: '#444' }, encoding: { x, y, text: { field: 'note' } } },
    ],
  };
}

export function trainingCurveSpec(history: readonly EpochPoint[], bestEpoch: number | null): TopLevelSpec {
  const values = history.flatMap((h) => [
    ...(h.trainRmse !== null ? [{ epoch: h.epoch, rmse: h.trainRmse, set: 'train (fit part)' }] : []),
    ...(h.validationRmse !== null ? [{ epoch: h.epoch, rmse: h.validationRmse, set: 'validation' }] : []),
  ]);
  return {
    ...base('Line chart of train and validation RMSE per SGD epoch', WIDTH, 220),
    data: { values },
    layer: [
      {
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'Epoch' },
          y: { field: 'rmse', type: 'quantitative', title: 'RMSE (stars)', scale: { zero: false } },
          color: { field: 'set', type: 'nominal', title: 'Ratings', scale: { range: SERIES.range } },
        },
      },
      ...(bestEpoch !== null ? [{ mark: { type: 'rule' as const, strokeDash: [4, 4], color: '#888' }, encoding: { x: { datum: bestEpoch } } }] : []),
    ],
  };
}

/** The three measures the diversity chart sets NDCG against, with their axis titles. */
const DIVERSITY_MEASURES = [
  ['intraListDiversity', 'Intra-list diversity (mean 1 − cosine)'],
  ['coverage', 'Catalogue coverage (share of movies)'],
  ['novelty', 'Novelty (mean self-information, bits)'],
] as const;

/** NDCG@K against intra-list diversity, coverage and novelty: one panel each, one point per diversity setting (coloured, one legend). */
export function diversitySpec(points: readonly DiversityRow[], k: number): TopLevelSpec {
  const values = points.map((p) => ({ ...p, setting: `λ=${p.diversity}` }));
  const panel = ([field, title]: (typeof DIVERSITY_MEASURES)[number]) => ({
    width: 180,
    height: 200,
    encoding: {
      x: { field, type: 'quantitative' as const, title, scale: { zero: false } },
      y: { field: 'ndcg', type: 'quantitative' as const, title: `NDCG@${k}`, scale: { zero: false } },
    },
    layer: [
      { mark: { type: 'line' as const, color: '#999' }, encoding: { order: { field: 'diversity', type: 'quantitative' as const } } },
      {
        mark: { type: 'point' as const, filled: true, size: 70 },
        encoding: { color: { field: 'setting', type: 'ordinal' as const, title: 'Diversity', scale: { scheme: 'viridis' } } },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    description: `Three line charts: NDCG@${k} on the test users against intra-list diversity, catalogue coverage and novelty, one point per diversity setting`,
    config: CONFIG,
    data: { values },
    hconcat: DIVERSITY_MEASURES.map(panel),
  };
}
