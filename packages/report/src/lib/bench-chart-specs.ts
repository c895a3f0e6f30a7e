/** Vega-Lite specs of the benchmark charts (docs/benchmarks.md), drawn from the benchmarks' own result files. */
import type { TopLevelSpec } from 'vega-lite';
import { base } from './chart-specs.js';

/** One HTTP load run: a server and endpoint, its throughput and latency (bench:api). */
export interface LoadRow {
  target: string;
  endpoint: string;
  reqPerSec: number;
  p50: number;
  p99: number;
}

/** One ranking model on the fixed split (score:peers and the served model as a client). */
export interface AccuracyRow {
  model: string;
  precision: number;
  ndcg: number;
}

const SERVER = { range: ['#7f7f7f', '#3b6ea5', '#d9822b', '#5a9e4b'] };

const label = (r: LoadRow) => `${r.target}: ${r.endpoint}`;

/** Requests per second by server and endpoint, each labelled with its ratio to the reference (the first row). */
export function throughputSpec(rows: readonly LoadRow[]): TopLevelSpec {
  const reference = rows[0]?.reqPerSec ?? 1;
  const values = rows.map((r) => ({ ...r, row: label(r), ratio: `${(r.reqPerSec / reference).toFixed(2)}x` }));
  const y = { field: 'row', type: 'nominal', title: null, sort: values.map((v) => v.row), axis: { labelLimit: 420 } } as const;
  const x = { field: 'reqPerSec', type: 'quantitative', title: 'Requests per second (closed loop)', axis: { format: '~s' } } as const;
  return {
    ...base('Horizontal bar chart: requests per second of each endpoint, with its ratio to the first row (the reference)', 480, 22 * values.length),
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          x,
          color: { field: 'target', type: 'nominal', title: 'Server', scale: SERVER },
          tooltip: [{ field: 'row' }, { field: 'reqPerSec', format: ',.0f' }, { field: 'ratio' }],
        },
      },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, color: '#444' }, encoding: { y, x, text: { field: 'ratio' } } },
    ],
  };
}

/** Median and 99th-percentile latency by server and endpoint (log scale: the fold-ins are far slower). */
export function latencySpec(rows: readonly LoadRow[]): TopLevelSpec {
  const values = rows.flatMap((r) => [
    { row: label(r), percentile: 'p50', ms: Math.max(r.p50, 0.5) },
    { row: label(r), percentile: 'p99', ms: Math.max(r.p99, 0.5) },
  ]);
  return {
    ...base(
      'Grouped horizontal bar chart: median and 99th-percentile latency of each endpoint, log scale (0 ms drawn at 0.5)',
      480,
      30 * rows.length,
    ),
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'row', type: 'nominal', title: null, sort: rows.map(label), axis: { labelLimit: 420 } },
      yOffset: { field: 'percentile', sort: ['p50', 'p99'] },
      x: { field: 'ms', type: 'quantitative', title: 'Latency (ms, log scale)', scale: { type: 'log' } },
      color: { field: 'percentile', type: 'nominal', title: 'Percentile', scale: { domain: ['p50', 'p99'], range: ['#3b6ea5', '#d9822b'] } },
      tooltip: [{ field: 'row' }, { field: 'percentile' }, { field: 'ms' }],
    },
  };
}

/** P@10 and NDCG@10 of each model, side by side. */
export function accuracySpec(rows: readonly AccuracyRow[], k = 10): TopLevelSpec {
  const values = rows.flatMap((r) => [
    { model: r.model, metric: `P@${k}`, value: r.precision },
    { model: r.model, metric: `NDCG@${k}`, value: r.ndcg },
  ]);
  const y = { field: 'model', type: 'nominal', title: null, sort: rows.map((r) => r.model), axis: { labelLimit: 420 } } as const;
  const yOffset = { field: 'metric' as const, sort: [`P@${k}`, `NDCG@${k}`] };
  const x = { field: 'value', type: 'quantitative', title: 'Score on the test users (higher is better)' } as const;
  return {
    ...base(`Grouped horizontal bar chart: P@${k} and NDCG@${k} of each model on the same split`, 480, 34 * rows.length),
    data: { values: values.map((v) => ({ ...v, text: v.value.toFixed(3) })) },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          yOffset,
          x,
          color: { field: 'metric', type: 'nominal', title: 'Metric', scale: { domain: [`P@${k}`, `NDCG@${k}`], range: ['#3b6ea5', '#d9822b'] } },
          tooltip: [{ field: 'model' }, { field: 'metric' }, { field: 'value', format: '.4f' }],
        },
      },
      { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#444' }, encoding: { y, yOffset, x, text: { field: 'text' } } },
    ],
  };
}

/** One timed job beside the reference measured in the same run (bench:ingest: our stages against the import tools). */
export interface DurationRow {
  /** What is compared, e.g. "SQLite, 20,000,263 ratings". */
  group: string;
  /** Who ran it: ours or the reference tool. */
  target: string;
  seconds: number;
  /** Its time over the group's reference (the reference's own row: 1). */
  ratio: number;
}

/** Seconds of each job, grouped by what is compared, each labelled with its ratio to the group's reference. */
export function durationSpec(rows: readonly DurationRow[]): TopLevelSpec {
  const values = rows.map((r) => ({ ...r, label: `${r.seconds.toFixed(1)} s (${r.ratio.toFixed(2)}x)` }));
  const y = { field: 'group', type: 'nominal', title: null, sort: [...new Set(rows.map((r) => r.group))], axis: { labelLimit: 420 } } as const;
  const yOffset = { field: 'target' as const, sort: [...new Set(rows.map((r) => r.target))] };
  const x = { field: 'seconds', type: 'quantitative', title: 'Wall seconds (lower is better)' } as const;
  return {
    ...base(
      'Grouped horizontal bar chart: wall seconds of our stages and of the reference tool, with the ratio to the reference',
      480,
      40 * new Set(rows.map((r) => r.group)).size,
    ),
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          yOffset,
          x,
          color: { field: 'target', type: 'nominal', title: 'Who', scale: SERVER },
          tooltip: [{ field: 'group' }, { field: 'target' }, { field: 'seconds', format: '.1f' }, { field: 'label' }],
        },
      },
      { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#444' }, encoding: { y, yOffset, x, text: { field: 'label' } } },
    ],
  };
}

/** One training run at a data size: ours (the whole train stage) or a peer's (its fit), and what was timed. */
export interface ScaleRow {
  /** Who ran it, e.g. "reelrank" or "Surprise" (the colour). */
  system: string;
  /** What was timed, e.g. "reelrank: whole train stage through Nx" (the shape). */
  series: string;
  /** Ratings the run read or fitted (x, log scale). */
  ratings: number;
  /** Wall seconds, or peak memory in GiB (y, log scale). */
  value: number;
  /** The point's own label, e.g. "19.4 s". */
  label: string;
}

const SYSTEMS = ['#3b6ea5', '#d9822b', '#5a9e4b', '#7f7f7f', '#9467bd'];

/**
 * A log-log scatter of values against ratings: a colour per system (in the order of `systems`, so a system keeps its
 * colour whichever rows exist), a shape per series, each point labelled.
 */
function scaleSpec(rows: readonly ScaleRow[], systems: readonly string[], description: string, yTitle: string, legendTitle: string): TopLevelSpec {
  const series = [...new Set(rows.map((r) => r.series))];
  const known = [...systems, ...new Set(rows.map((r) => r.system).filter((s) => !systems.includes(s)))];
  // Axes a little wider than the points, not rounded out to whole decades (which would leave most of the plot empty).
  const span = (values: number[]) => (values.length ? [Math.min(...values) / 1.6, Math.max(...values) * 1.6] : [1, 10]);
  const x = {
    field: 'ratings',
    type: 'quantitative',
    title: 'Ratings (log scale)',
    scale: { type: 'log', domain: span(rows.map((r) => r.ratings)), nice: false },
    axis: { format: '~s' },
  } as const;
  const y = {
    field: 'value',
    type: 'quantitative',
    title: yTitle,
    scale: { type: 'log', domain: span(rows.map((r) => r.value)), nice: false },
  } as const;
  const legend = { orient: 'bottom', direction: 'vertical', labelLimit: 600 } as const;
  return {
    ...base(description, 520, 300),
    data: { values: rows.map((r) => ({ ...r })) },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 90 },
        encoding: {
          x,
          y,
          color: { field: 'system', type: 'nominal', title: 'System', scale: { domain: known, range: SYSTEMS }, legend },
          shape: { field: 'series', type: 'nominal', title: legendTitle, scale: { domain: series }, legend },
          tooltip: [
            { field: 'system' },
            { field: 'series' },
            { field: 'ratings', format: ',' },
            { field: 'value', format: '.2f' },
            { field: 'label' },
          ],
        },
      },
      { mark: { type: 'text', align: 'left', dx: 8, dy: -8, fontSize: 11, color: '#444' }, encoding: { x, y, text: { field: 'label' } } },
    ],
  };
}

/** Train time against data size (both log scales): our whole train stage beside the peer's fit, each point saying what it timed. */
export function trainTimeSpec(rows: readonly ScaleRow[], systems: readonly string[] = []): TopLevelSpec {
  return scaleSpec(
    rows,
    systems,
    'Scatter chart, log scales: wall seconds of training against the number of ratings, one series per system and what was timed',
    'Wall seconds (log scale, lower is better)',
    'What was timed',
  );
}

/** Peak memory against data size (both log scales). */
export function trainMemorySpec(rows: readonly ScaleRow[], systems: readonly string[] = []): TopLevelSpec {
  return scaleSpec(
    rows,
    systems,
    'Scatter chart, log scales: peak resident memory of training against the number of ratings, one series per system and what was measured',
    'Peak RSS, GiB (log scale)',
    'Whose memory',
  );
}
