import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { loadDatabase, loadPostgresDatabase } from '@reelrank/database';
import { runIngest } from '@reelrank/ingest';
import { generatedMovieLensSource, tempWorkspace } from '@reelrank/ingest/testing';
import { runReport } from '@reelrank/report';
import { readCatalogueTrainingData, readTrainingData, runTraining } from '@reelrank/trainer';
import { freshDatabase } from './postgres-test-db';
import { envWithoutWorkspace } from '../workspace-env';

/**
 * Training reads the catalogue from PostgreSQL when DATABASE_URL is set, and the
 * same data trains the same model: the train stage run on the SQLite file and on PostgreSQL (another
 * data folder without any .db file) writes identical weights (same sha256) and the same data hash.
 * The report stage reads it from there too.
 */
describe('the train stage and the report on the PostgreSQL catalogue', () => {
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db?.drop());

  it('when trained on SQLite and on PostgreSQL holding the same data, then the models are identical', async () => {
    const source = await generatedMovieLensSource({ users: 50, movies: 150, ratings: 3_000, seed: 5 });
    const base = {
      ...envWithoutWorkspace(),
      REELRANK_ROOT: tempWorkspace(),
      MOVIELENS_SOURCE: source,
      REELRANK_TRAIN_MAX_EPOCHS: '3',
      REELRANK_TRAIN_FACTORS: '4',
    };
    const onSqlite = loadConfig({ env: { ...base, REELRANK_MODELS_DIR: mkdtempSync(join(tmpdir(), 'reelrank-models-sqlite-')) } });
    const onPostgres = loadConfig({
      env: {
        ...base,
        DATABASE_URL: db.url,
        REELRANK_DATA_DIR: mkdtempSync(join(tmpdir(), 'reelrank-data-pg-')), // no .db file: only PostgreSQL can answer
        REELRANK_MODELS_DIR: mkdtempSync(join(tmpdir(), 'reelrank-models-pg-')),
      },
    });
    const quiet = () => undefined;
    await runIngest(onSqlite, { log: quiet });
    const { paths, dataset } = onSqlite;
    await loadDatabase({ processedDir: paths.processedDir, dbPath: paths.dbPath, dataset: dataset.dataset, log: quiet });
    await loadPostgresDatabase({ processedDir: paths.processedDir, databaseUrl: db.url, dataset: dataset.dataset, log: quiet });

    // The columns, byte for byte.
    const fromSqlite = readTrainingData(paths.dbPath);
    const fromPostgres = await readCatalogueTrainingData(onPostgres);
    expect(fromPostgres.from).toBe(new URL(db.url).toString());
    expect(fromPostgres.meta).toEqual(fromSqlite.meta);
    expect(fromPostgres.movieIds).toEqual(fromSqlite.movieIds);
    for (const key of ['userIds', 'movieIds', 'ratings', 'timestamps'] as const) {
      expect(Buffer.from(fromPostgres.ratings[key].buffer).equals(Buffer.from(fromSqlite.ratings[key].buffer))).toBe(true);
    }

    const lines: string[] = [];
    const a = await runTraining(onSqlite, { log: quiet });
    const b = await runTraining(onPostgres, { log: (line) => lines.push(line) });
    expect(lines.some((l) => l.includes(`ratings from ${new URL(db.url).toString()}`))).toBe(true);
    expect(b.manifest.dataHash).toBe(a.manifest.dataHash);
    expect(b.manifest.weights.sha256).toBe(a.manifest.weights.sha256);
    expect(b.manifest.version).toBe(a.manifest.version);
    const weights = (config: typeof onSqlite, file: string) => readFileSync(join(config.paths.modelDir, file));
    expect(weights(onPostgres, b.manifest.weights.file).equals(weights(onSqlite, a.manifest.weights.file))).toBe(true);

    // The report reads the same catalogue from PostgreSQL.
    const reportLines: string[] = [];
    const report = await runReport(onPostgres, { log: (line) => reportLines.push(line), generatedAt: 'fixed' });
    expect(reportLines.some((l) => l.includes(`ratings and ${fromSqlite.movieIds.size} movies from ${new URL(db.url).toString()}`))).toBe(true);
    expect(report.withModel).toBe(true);
  }, 240_000);

  it('when PostgreSQL holds another data set, then training refuses it, naming both', async () => {
    const config = loadConfig({ env: { ...process.env, REELRANK_DATASET: 'ml-latest-small', DATABASE_URL: db.url } });
    await expect(runTraining(config, { log: () => undefined })).rejects.toThrow(/holds data set "generated", not the configured "ml-latest-small"/);
  });
});
