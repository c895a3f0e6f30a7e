import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@reelrank/artifacts';
import type { AppConfig } from '@reelrank/config';
import { readCatalogueData } from '@reelrank/database';
import type { ActivityError } from './activity-error.js';
import { readModelSummary, type ModelSummary } from './model-metrics.js';
import { renderReportHtml } from './render-html.js';
import type { ReportInput } from './sections.js';

export type ReportConfig = Pick<AppConfig, 'root' | 'dataset' | 'training' | 'paths'> & {
  storage?: Partial<Pick<AppConfig['storage'], 'databaseUrl'>>;
};

export interface RunReportOptions {
  log?: (line: string) => void;
  /** Render without the model sections (clearly marked) when there is no model, instead of failing. */
  allowMissingModel?: boolean;
  /** Fixed "generated at" text (tests). */
  generatedAt?: string;
}

export interface ReportResult {
  path: string;
  bytes: number;
  charts: string[];
  seconds: number;
  /** False when the model sections were left out. */
  withModel: boolean;
}

/** A missing input, named with the stage that produces it. */
export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

export function reportPath(config: Pick<AppConfig, 'root' | 'dataset'>): string {
  return join(config.root, 'reports', config.dataset.dataset, 'index.html');
}

function modelInputs(config: ReportConfig, columns: ReportInput['columns'], dataHash: string | null, allowMissing: boolean) {
  const summary: ModelSummary | null = readModelSummary(config.paths.modelDir);
  if (!summary) {
    const message = `No trained model in ${config.paths.modelDir} (model.json missing): run the train stage first (nx run trainer:pipeline)`;
    if (!allowMissing) throw new ReportInputError(message);
    return { summary: null, activity: null, note: 'model.json missing: run nx run trainer:pipeline' };
  }
  if (!summary.byUserActivity) {
    return {
      summary,
      activity: null,
      note: 'metrics.json has no error-by-activity breakdown (trained by an older trainer): rerun nx run trainer:pipeline',
    };
  }
  const rows = summary.byUserActivity.reduce((sum, bucket) => sum + bucket.rows, 0);
  const activity: ActivityError = { buckets: summary.byUserActivity, testRows: rows };
  return { summary, activity, note: undefined };
}

/**
 * The report stage: data/<dataset>.db (+ models/<dataset>/) -> reports/<dataset>/index.html,
 * written atomically. Throws ReportInputError naming the stage to run when an input is missing.
 */
export async function runReport(config: ReportConfig, options: RunReportOptions = {}): Promise<ReportResult> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const databaseUrl = config.storage?.databaseUrl ?? null;
  if (!databaseUrl && !existsSync(config.paths.dbPath)) {
    throw new ReportInputError(`Database not found at ${config.paths.dbPath}: run the database stage first (nx run database:pipeline)`);
  }
  // The catalogue from the configured store: PostgreSQL with DATABASE_URL, else the SQLite file.
  const { ratings: columns, movies, meta, from } = await readCatalogueData({ dbPath: config.paths.dbPath, databaseUrl });
  const dataHash = meta?.dataHash ?? null;
  log(`[report] read ${columns.ratings.length} ratings and ${movies.length} movies from ${from}`);
  const { summary, activity, note } = modelInputs(config, columns, dataHash, options.allowMissingModel ?? false);
  if (note) log(`[report] model sections limited: ${note}`);
  const { html, charts } = await renderReportHtml({
    dataset: config.dataset.dataset,
    columns,
    movies,
    popularityMinRatings: config.training.popularityMinRatings,
    model: summary,
    activity,
    modelNote: note,
    generatedAt: options.generatedAt,
  });
  const path = reportPath(config);
  writeFileAtomic(path, html);
  const seconds = (performance.now() - started) / 1000;
  log(`[report] wrote ${path} (${charts.length} charts, ${Buffer.byteLength(html)} bytes) in ${seconds.toFixed(2)} s`);
  return { path, bytes: Buffer.byteLength(html), charts: charts.map((c) => c.id), seconds, withModel: summary !== null };
}
