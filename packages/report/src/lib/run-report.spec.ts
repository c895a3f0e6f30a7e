import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, resolvePaths } from '@reelrank/config';
import { loadDatabase, openDatabase, readRatingsColumns } from '@reelrank/database';
import { computePopularity, saveModelArtifacts, type MfModel } from '@reelrank/model';
import { planTraining } from '@reelrank/trainer';
import { readModelSummary } from './model-metrics.js';
import { ReportInputError, runReport, type ReportConfig } from './run-report.js';

// The database package's processed-CSV fixture: 4 users, 8 movies, 10 ratings.
const PROCESSED_FIXTURE = join(__dirname, '../../../database/src/__fixtures__/processed');
const quiet = { log: () => undefined };

/** The committed settings (config/*.json, no env) the test values are laid over. */
const committed = loadConfig({ env: {} });

function configFor(root: string): ReportConfig {
  return {
    root,
    dataset: { ...committed.dataset, dataset: 'ml-latest-small', source: null, sampleSize: 10 },
    training: {
      ...committed.training,
      seed: 42,
      ratingModel: 'auto',
      factors: 2,
      maxEpochs: 5,
      learningRate: 0.01,
      learningRateDecay: 1,
      regularization: 0.05,
      biasRegularization: 0.05,
      initStd: 0.05,
      patience: 2,
      validationFraction: 0.1,
      testFraction: 0.3,
      refitOnAll: true,
      popularityMinRatings: 2,
      popularityPriorWeight: 1,
      rankingK: 5,
    },
    paths: resolvePaths(root, 'ml-latest-small', {}),
  };
}

async function rootWithDatabase(): Promise<{ root: string; config: ReportConfig }> {
  const root = mkdtempSync(join(tmpdir(), 'reelrank-report-'));
  const config = configFor(root);
  await loadDatabase({ processedDir: PROCESSED_FIXTURE, dbPath: config.paths.dbPath, dataset: 'ml-latest-small', log: quiet.log });
  return { root, config };
}

/** A model over the database's users and movies (every factor 0.1), saved like the trainer does. */
function saveTinyModel(config: ReportConfig, metricsReport: unknown): void {
  const conn = openDatabase(config.paths.dbPath, { readonly: true });
  const columns = readRatingsColumns(conn);
  const meta = conn.sqlite.prepare("SELECT value FROM dataset_meta WHERE key = 'dataHash'").pluck().get() as string;
  conn.close();
  const userIds = Int32Array.from(new Set(columns.userIds)).sort();
  const movieIds = Int32Array.from(new Set(columns.movieIds)).sort();
  const model: MfModel = {
    factors: 2,
    globalMean: 3.5,
    userIds,
    movieIds,
    userBias: new Float32Array(userIds.length),
    movieBias: new Float32Array(movieIds.length),
    userFactors: new Float32Array(userIds.length * 2).fill(0.1),
    movieFactors: new Float32Array(movieIds.length * 2).fill(0.1),
  };
  saveModelArtifacts(config.paths.modelDir, {
    model,
    popularity: computePopularity(columns, { minRatings: 1, priorWeight: 1 }),
    manifest: {
      dataset: 'ml-latest-small',
      createdAt: '2026-01-01T00:00:00Z',
      dataHash: meta,
      backend: 'cpu',
      hyperParameters: { ...config.training },
      training: { trainedOn: 'all', seconds: 0.5 },
      metrics: {},
    },
    metricsReport,
  });
}

describe('runReport', () => {
  it('when the database is missing, then it fails naming the database stage', async () => {
    const root = mkdtempSync(join(tmpdir(), 'reelrank-report-'));
    await expect(runReport(configFor(root), quiet)).rejects.toThrow(ReportInputError);
    await expect(runReport(configFor(root), quiet)).rejects.toThrow(/nx run database:pipeline/);
  });

  it('when the model is missing, then it fails naming the train stage, or renders the data sections when allowed', async () => {
    const { root, config } = await rootWithDatabase();
    await expect(runReport(config, quiet)).rejects.toThrow(/model\.json missing.*nx run trainer:pipeline/);
    const result = await runReport(config, { ...quiet, allowMissingModel: true });
    expect(result.path).toBe(join(root, 'reports', 'ml-latest-small', 'index.html'));
    expect(result.withModel).toBe(false);
    const html = readFileSync(result.path, 'utf8');
    expect(html).toContain('Model card: not available');
    expect(result.charts).toContain('rating-distribution');
    expect(readdirSync(join(root, 'reports', 'ml-latest-small'))).toEqual(['index.html']);
  });

  it('when a model without an activity breakdown is present, then the model card is in the page and the error chart is replaced by a note', async () => {
    const { config } = await rootWithDatabase();
    saveTinyModel(config, { k: 5, models: [{ model: 'biased MF (SGD)', rmse: 0.9, mae: 0.7, precisionAtK: 0.1, recallAtK: null, ndcgAtK: 0.2 }] });
    const result = await runReport(config, quiet);
    expect(result.withModel).toBe(true);
    expect(result.charts).not.toContain('error-by-activity');
    const html = readFileSync(result.path, 'utf8');
    expect(html).toContain('metrics.json has no error-by-activity breakdown');
    expect(html).toMatch(/<td><strong>0\.9000<\/strong><\/td>/);
    expect(html).toContain('Recall@5');
    // Figures metrics.json lacks show as "not available", never invented.
    expect(html).toMatch(/Epochs<\/th><td>not available/);
  });

  it('when metrics.json records the plan, then the model card shows the decisions and highlights the planned rows', async () => {
    const { config } = await rootWithDatabase();
    const plan = planTraining({ ...config.training, ratingModel: 'auto', refitOnAll: true }, { ratings: 1000, trainRatings: 900 });
    const blended = `${plan.rating.label} + ${plan.rating.neighbourhood.label}`;
    const rows = ['global mean', plan.rating.label, blended, plan.ranking!.label].map((model) => ({
      model,
      rmse: 0.9,
      mae: 0.7,
      precisionAtK: 0.1,
      ndcgAtK: 0.2,
    }));
    saveTinyModel(config, { k: 5, models: rows, plan });
    const html = readFileSync((await runReport(config, quiet)).path, 'utf8');
    expect(html).toContain('<caption>Training plan</caption>');
    expect(html).toMatch(/Rating model<\/th><td>SVD\+\+ \(SGD\); ratingModel auto/);
    expect(html).toMatch(/Served model fitted on<\/th><td>all; refitOnAll/);
    const served = [...html.matchAll(/<tr class="served"><th scope="row">([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(served).toEqual(['SVD++ (SGD)', blended, 'served ranking (SVD++ + implicit ALS + popularity + EASE)']);
    expect(html).toMatch(/Rating model<\/th><td>[^<]*blended with item kNN on baseline residuals: shrunk Pearson/);
    const { lambda, maxMovies } = config.training.ranker.ease;
    expect(html).toMatch(
      new RegExp(`Ranking model</th><td>[^<]*EASE: closed form \\(one pass\\) over the ${maxMovies} most-rated movies, lambda ${lambda}`),
    );
  });

  it('when metrics.json has a per-activity breakdown, then the error chart draws it', async () => {
    const { config } = await rootWithDatabase();
    saveTinyModel(config, {
      byUserActivity: [
        { lower: 1, upper: 4, users: 2, rows: 3, rmse: 1.25, mae: 1 },
        { lower: 5, upper: null, users: 1, rows: 2, rmse: 0.75, mae: 0.5 },
      ],
    });
    expect(readModelSummary(config.paths.modelDir)?.byUserActivity?.map((b) => b.label)).toEqual(['1-4', '5+']);
    const result = await runReport(config, quiet);
    expect(result.charts).toContain('error-by-activity');
    const html = readFileSync(result.path, 'utf8');
    expect(html).toContain('source: metrics.json');
    expect(html).toContain('(1.250 with 1-4 training ratings)');
  });

  it('when metrics.json is broken JSON, then the card falls back to model.json and says what is missing', () => {
    const root = mkdtempSync(join(tmpdir(), 'reelrank-report-'));
    const dir = join(root, 'm');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({ version: 'v1', metrics: { k: 10, models: { 'global mean': { rmse: 1, mae: 0.8, precisionAt10: null } } } }),
    );
    writeFileSync(join(dir, 'metrics.json'), '{ broken');
    const summary = readModelSummary(dir)!;
    expect(summary.models).toEqual([{ model: 'global mean', rmse: 1, mae: 0.8, precisionAtK: null, recallAtK: null, ndcgAtK: null, coverage: null }]);
    expect(summary.trainingSeconds).toBeNull();
    expect(readModelSummary(join(root, 'nothing'))).toBeNull();
  });
});
