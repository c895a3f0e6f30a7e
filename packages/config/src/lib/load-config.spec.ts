import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, loadEnvConfig, logLevelOf } from './load-config.js';
import { redactDatabaseUrl } from './database-url.js';
import { ENV_OVERRIDES } from './settings.js';

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'config-'));
  cpSync(join(__dirname, '../../../../config'), join(root, 'config'), { recursive: true });
  return root;
}

describe('loadConfig', () => {
  it('when only the committed files are present, then the defaults load and paths follow the dataset', () => {
    const root = tempRoot();
    const config = loadConfig({ root, env: {} });
    expect(config.dataset.dataset).toBe('ml-latest-small');
    expect(config.serving.port).toBe(8000);
    expect(config.paths.dbPath).toBe(join(root, 'data', 'ml-latest-small.db'));
    expect(config.paths.modelDir).toBe(join(root, 'models', 'ml-latest-small'));
    expect(config.paths.ratingsDbPath).toBe(join(root, 'data', 'ml-latest-small.ratings.db'));
  });

  it('reads the identity group from config/identity.json and its env overrides; without the file, the same defaults', () => {
    const root = tempRoot();
    const committed = loadConfig({ root, env: {} }).identity;
    expect(committed).toMatchObject({
      anonymousReads: true,
      visitorCookieSecret: null,
      visitorCookiePreviousSecret: null,
      visitorMaxAgeDays: 365,
      allowedOrigins: '',
      visitorMintBurst: 20,
      visitorMintRefillSeconds: 180,
    });
    rmSync(join(root, 'config', 'identity.json'));
    expect(loadConfig({ root, env: {} }).identity).toEqual(committed);
    const secret = 'x'.repeat(16) + 'Y'.repeat(16);
    const env = { REELRANK_ANONYMOUS_READS: 'false', REELRANK_VISITOR_COOKIE_SECRET: secret, REELRANK_ALLOWED_ORIGINS: 'https://a.example' };
    expect(loadConfig({ root, env }).identity).toMatchObject({
      anonymousReads: false,
      visitorCookieSecret: secret,
      allowedOrigins: 'https://a.example',
    });
    expect(() => loadConfig({ root, env: { REELRANK_VISITOR_COOKIE_SECRET: 'short' } })).toThrow(/REELRANK_VISITOR_COOKIE_SECRET/);
  });

  it('reads the retrain watcher from config/operations.json and its env overrides; without the file, the same defaults; bad reload URLs are named', () => {
    const root = tempRoot();
    const committed = loadConfig({ root, env: {} });
    expect(committed.operations.watch).toEqual({
      minNewRatings: 1000,
      intervalSeconds: 86_400,
      pollSeconds: 60,
      backoffSeconds: 60,
      backoffMaxSeconds: 3600,
      reloadUrls: '',
      reloadToken: null,
      onDrift: false,
      driftCooldownSeconds: 3600,
    });
    expect(committed.paths.retrainLockPath).toBe(join(root, 'models', '_versions', 'ml-latest-small', 'retrain.lock'));
    rmSync(join(root, 'config', 'operations.json'));
    expect(loadConfig({ root, env: {} }).operations).toEqual(committed.operations);
    const env = {
      REELRANK_RETRAIN_WATCH_MIN_NEW_RATINGS: '5',
      REELRANK_RETRAIN_WATCH_POLL_SECONDS: '0.5',
      REELRANK_RETRAIN_WATCH_RELOAD_URLS: 'http://127.0.0.1:8000, https://b.example',
      REELRANK_RETRAIN_WATCH_RELOAD_TOKEN: '12345',
    };
    expect(loadConfig({ root, env }).operations.watch).toMatchObject({
      minNewRatings: 5,
      pollSeconds: 0.5,
      intervalSeconds: 86_400,
      reloadUrls: 'http://127.0.0.1:8000, https://b.example',
      reloadToken: '12345',
    });
    expect(() => loadConfig({ root, env: { REELRANK_RETRAIN_WATCH_RELOAD_URLS: 'localhost:8000' } })).toThrow(/REELRANK_RETRAIN_WATCH_RELOAD_URLS/);
    expect(() => loadConfig({ root, env: { REELRANK_RETRAIN_WATCH_MIN_NEW_RATINGS: '0' } })).toThrow(/REELRANK_RETRAIN_WATCH_MIN_NEW_RATINGS/);
  });

  it('reads the drift settings from config/operations.json and the env; an unknown judged feature is named', () => {
    const root = tempRoot();
    expect(loadConfig({ root, env: {} }).operations.drift).toEqual({
      threshold: 0.25,
      refreshSeconds: 300,
      minRatings: 200,
      maxRatings: 200_000,
      features: 'rating,genre',
    });
    const env = {
      REELRANK_DRIFT_THRESHOLD: '0.1',
      REELRANK_DRIFT_FEATURES: 'rating, newUsers',
      REELRANK_RETRAIN_WATCH_ON_DRIFT: 'true',
      REELRANK_RETRAIN_WATCH_DRIFT_COOLDOWN_SECONDS: '0',
    };
    const config = loadConfig({ root, env });
    expect(config.operations.drift).toMatchObject({ threshold: 0.1, features: 'rating, newUsers' });
    expect(config.operations.watch).toMatchObject({ onDrift: true, driftCooldownSeconds: 0 });
    expect(() => loadConfig({ root, env: { REELRANK_DRIFT_FEATURES: 'rating,mood' } })).toThrow(/REELRANK_DRIFT_FEATURES/);
    expect(() => loadConfig({ root, env: { REELRANK_DRIFT_THRESHOLD: '0' } })).toThrow(/REELRANK_DRIFT_THRESHOLD/);
  });

  it('when REELRANK_RATINGS_DB is set, then the posted-ratings store lives there (relative to the root), apart from the stage artifacts', () => {
    const root = tempRoot();
    expect(loadConfig({ root, env: { REELRANK_RATINGS_DB: 'state/r.db' } }).paths.ratingsDbPath).toBe(join(root, 'state', 'r.db'));
    expect(loadConfig({ root, env: { REELRANK_DATA_DIR: '/d', REELRANK_DATASET: 'ml-1m' } }).paths.ratingsDbPath).toBe('/d/ml-1m.ratings.db');
  });

  it('when nothing says otherwise, then CORS allows no other origin and metrics listen on 127.0.0.1:9464; the env moves or turns off the listener', () => {
    const root = tempRoot();
    const defaults = loadConfig({ root, env: {} }).serving;
    expect([defaults.corsOrigins, defaults.metrics]).toEqual(['', { host: '127.0.0.1', port: 9464 }]);
    expect(loadConfig({ root, env: { REELRANK_METRICS_HOST: '::1', REELRANK_METRICS_PORT: '9100' } }).serving.metrics).toEqual({
      host: '::1',
      port: 9100,
    });
    expect(loadConfig({ root, env: { REELRANK_METRICS_PORT: 'null' } }).serving.metrics.port).toBeNull();
    expect(() => loadConfig({ root, env: { REELRANK_METRICS_PORT: '70000' } })).toThrow(
      'config/serving.json "metrics.port" (env REELRANK_METRICS_PORT)',
    );
  });

  it('when DATABASE_URL is set, then it selects PostgreSQL; a bad one is refused without echoing it; logs see it redacted', () => {
    const root = tempRoot();
    expect(loadConfig({ root, env: {} }).storage.databaseUrl).toBeNull();
    expect(loadConfig({ root, env: { DATABASE_URL: ' ' } }).storage.databaseUrl).toBeNull();
    const url = 'postgres://reel:s3cret@db.example:5433/reelrank?sslmode=require';
    expect(loadConfig({ root, env: { DATABASE_URL: url } }).storage.databaseUrl).toBe(url);
    expect(() => loadConfig({ root, env: { DATABASE_URL: 'mysql://u:s3cret@h/db' } })).toThrow(
      /env DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/,
    );
    expect(() => loadConfig({ root, env: { DATABASE_URL: 'mysql://u:s3cret@h/db' } })).not.toThrow(/s3cret/);
    expect(redactDatabaseUrl(url)).toBe('postgres://reel:***@db.example:5433/reelrank?sslmode=require');
    expect(redactDatabaseUrl('postgresql://u@h/db?password=s3cret')).toBe('postgresql://u@h/db?password=***');
    expect(redactDatabaseUrl('postgres://u:s3cret@[bad')).not.toMatch(/s3cret/);
  });

  it('when the PostgreSQL pool timeouts are set, then they are read as milliseconds; a bad one is refused naming its variable', () => {
    const root = tempRoot();
    expect(loadConfig({ root, env: {} }).storage).toMatchObject({ databaseConnectTimeoutMs: 5_000, databaseQueryTimeoutMs: 10_000 });
    const env = { REELRANK_DATABASE_CONNECT_TIMEOUT_MS: '2000', REELRANK_DATABASE_QUERY_TIMEOUT_MS: '0' };
    expect(loadConfig({ root, env }).storage).toMatchObject({ databaseConnectTimeoutMs: 2_000, databaseQueryTimeoutMs: 0 });
    expect(() => loadConfig({ root, env: { REELRANK_DATABASE_QUERY_TIMEOUT_MS: '-1' } })).toThrow(/REELRANK_DATABASE_QUERY_TIMEOUT_MS/);
    expect(() => loadConfig({ root, env: { REELRANK_DATABASE_CONNECT_TIMEOUT_MS: 'soon' } })).toThrow(/REELRANK_DATABASE_CONNECT_TIMEOUT_MS/);
  });

  it('when a workspace still has config/security.json or config/retrain.json, then each is read in its new place with one deprecation line naming it', () => {
    const root = tempRoot();
    const identity = JSON.parse(readFileSync(join(root, 'config', 'identity.json'), 'utf8'));
    const operations = JSON.parse(readFileSync(join(root, 'config', 'operations.json'), 'utf8'));
    rmSync(join(root, 'config', 'identity.json'));
    rmSync(join(root, 'config', 'operations.json'));
    writeFileSync(join(root, 'config', 'security.json'), JSON.stringify({ ...identity, anonymousReads: false, visitorMintBurst: 3 }));
    writeFileSync(join(root, 'config', 'retrain.json'), JSON.stringify({ ...operations, watch: { ...operations.watch, minNewRatings: 7 } }));
    const lines: string[] = [];
    const config = loadConfig({ root, env: {}, warn: (line) => lines.push(line) });
    expect(config.identity).toMatchObject({ anonymousReads: false, visitorMintBurst: 3 });
    expect(config.operations.watch.minNewRatings).toBe(7);
    expect(lines).toEqual([
      'deprecated: config/security.json is read as config/identity.json (group "identity"); rename it',
      'deprecated: config/retrain.json is read as config/operations.json (group "operations"); rename it',
    ]);
    writeFileSync(join(root, 'config', 'security.json'), JSON.stringify({ visitorMintBurst: 0 }));
    expect(() => loadConfig({ root, env: {}, warn: () => undefined })).toThrow(
      'config/security.json "visitorMintBurst" (env REELRANK_VISITOR_MINT_BURST)',
    );
  });

  it('when both a deprecated file and its replacement exist, then loading fails naming both, so neither wins silently', () => {
    const root = tempRoot();
    writeFileSync(join(root, 'config', 'retrain.json'), '{}');
    expect(() => loadConfig({ root, env: {}, warn: () => undefined })).toThrow(
      'config/retrain.json and config/operations.json both exist: its settings moved to config/operations.json; merge them there and delete config/retrain.json',
    );
  });

  it('when a group file sets a key only the environment sets, then loading fails naming its env variable', () => {
    const root = tempRoot();
    const file = join(root, 'config', 'operations.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), verbose: true }));
    expect(() => loadConfig({ root, env: {} })).toThrow(
      'config/operations.json "verbose": set by the environment only (REELRANK_VERBOSE), not by a file',
    );
    const identity = join(root, 'config', 'identity.json');
    writeFileSync(identity, JSON.stringify({ limits: { foldMaxUsers: 2 } }));
    expect(() => loadConfig({ root, env: {} })).toThrow(
      /config\/identity.json "limits": set by the environment only \(REELRANK_LIMIT_FOLD_MAX_RATINGS, .*REELRANK_LIMIT_ADMIN_GLOBAL_REFILL_SECONDS\)/,
    );
  });

  it('when only the environment is read, then it gives the storage settings and the env-only keys of identity and operations, never a file key', () => {
    const env = loadEnvConfig({
      REELRANK_ROOT: '/w',
      REELRANK_ADMIN_TOKEN: 't',
      REELRANK_VERBOSE: '1',
      REELRANK_ANONYMOUS_READS: 'false',
      REELRANK_LIMIT_FOLD_MAX_USERS: '4',
    });
    expect(env.storage).toMatchObject({ root: '/w', dataDir: 'data', keepModelVersions: 5 });
    expect(env.identity).toMatchObject({ adminToken: 't', adminBurst: 5, trustProxy: null });
    expect(env.identity.limits.foldMaxUsers).toBe(4);
    expect(env.identity).not.toHaveProperty('anonymousReads');
    expect(env.operations).toMatchObject({ verbose: true, logLevel: null, workers: null });
    expect(env.operations).not.toHaveProperty('watch');
  });

  it('when the REELRANK_LIMIT_* variables are set, then identity.limits takes them; unset, the defaults; a bad one is refused naming its variable', () => {
    const root = tempRoot();
    expect(loadConfig({ root, env: {} }).identity.limits).toMatchObject({
      foldMaxRatings: 1000,
      foldMaxUsers: 100,
      ratingsPerSecond: 20,
      maxRatingsPerUser: 5000,
    });
    const env = { REELRANK_LIMIT_FOLD_MAX_RATINGS: '50', REELRANK_LIMIT_NEW_USERS_PER_HOUR: '2.5', REELRANK_LIMIT_ADMIN_GLOBAL_BURST: '7' };
    expect(loadConfig({ root, env }).identity.limits).toMatchObject({ foldMaxRatings: 50, newUsersPerHour: 2.5, adminGlobalBurst: 7 });
    expect(() => loadConfig({ root, env: { REELRANK_LIMIT_RATINGS_BURST: '0' } })).toThrow(/env REELRANK_LIMIT_RATINGS_BURST/);
    expect(() => loadConfig({ root, env: { REELRANK_LIMIT_FOLD_MAX_USERS: 'many' } })).toThrow(/env REELRANK_LIMIT_FOLD_MAX_USERS/);
  });

  it('when env variables are set, then they override the files with the right types', () => {
    const root = tempRoot();
    const config = loadConfig({
      root,
      env: {
        PORT: '9001',
        REELRANK_TRAIN_FACTORS: '12',
        REELRANK_TRAIN_REFIT_ON_ALL: 'false',
        MOVIELENS_SOURCE: '/x/y',
        REELRANK_DATASET: 'ml-100k',
      },
    });
    expect(config.serving.port).toBe(9001);
    expect(config.training.factors).toBe(12);
    expect(config.training.refitOnAll).toBe(false);
    expect(config.dataset.source).toBe('/x/y');
    expect(config.paths.processedDir).toBe(join(root, 'data', 'processed', 'ml-100k'));
  });

  it('when a value is invalid, then the error names the key, the file and the env variable', () => {
    const root = tempRoot();
    expect(() => loadConfig({ root, env: { PORT: 'eighty', REELRANK_TRAIN_FACTORS: '-3' } })).toThrow(ConfigError);
    const both = () => loadConfig({ root, env: { PORT: 'eighty', REELRANK_DATASET: '../ml-3m' } });
    expect(both).toThrow('config/serving.json "port" (env PORT)');
    expect(both).toThrow('config/dataset.json "dataset" (env REELRANK_DATASET)');
  });

  it('when process settings come from the env, then they are validated here and errors name the variable', () => {
    const root = tempRoot();
    const config = loadConfig({
      root,
      env: {
        REELRANK_TF_BACKEND: 'cpu',
        REELRANK_VERBOSE: '1',
        REELRANK_TRAIN_THREADS: '3',
        REELRANK_TRAIN_PARALLEL_MIN_RATINGS: '0',
        REELRANK_EVAL_SCORER: 'typed-array',
        REELRANK_ADMIN_TOKEN: '0123',
        REELRANK_WORKERS: '2',
        REELRANK_DATA_DIR: 'elsewhere/data',
      },
    });
    expect(config.operations).toMatchObject({ tfBackend: 'cpu', verbose: true, workers: 2, reportAllowNoModel: false });
    expect(config.identity.adminToken).toBe('0123');
    expect(config.training).toMatchObject({ threads: 3, parallelMinRatings: 0, evalScorer: 'typed-array' });
    expect(config.paths.dbPath).toBe(join(root, 'elsewhere', 'data', 'ml-latest-small.db'));
    expect(() => loadConfig({ root, env: { REELRANK_TRAIN_THREADS: '0' } })).toThrow('config/training.json "threads" (env REELRANK_TRAIN_THREADS)');
    expect(() => loadConfig({ root, env: { REELRANK_EVAL_SCORER: 'gpu' } })).toThrow('(env REELRANK_EVAL_SCORER)');
    expect(() => loadConfig({ root, env: { REELRANK_TF_BACKEND: 'cuda' } })).toThrow('env REELRANK_TF_BACKEND');
    expect(() => loadEnvConfig({ REELRANK_WORKERS: '0' })).toThrow('env REELRANK_WORKERS');
    expect(() => loadEnvConfig({ REELRANK_ADMIN_BURST: '-1' })).toThrow('env REELRANK_ADMIN_BURST');
    expect(logLevelOf(loadEnvConfig({ NODE_ENV: 'test' }).operations)).toBe('silent');
    expect(logLevelOf(loadEnvConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn' }).operations)).toBe('warn');
    expect(loadEnvConfig({ REELRANK_ADMIN_TOKEN: '' }).identity.adminToken).toBeNull();
  });

  it('when the ranker settings in training.json are invalid, then the error names the nested key', () => {
    const root = tempRoot();
    const file = join(root, 'config', 'training.json');
    const training = JSON.parse(readFileSync(file, 'utf8'));
    training.ranker.implicit.sweeps = 0;
    training.ranker.ratingWeightGrid = [];
    writeFileSync(file, JSON.stringify(training));
    expect(() => loadConfig({ root, env: {} })).toThrow('config/training.json "ranker.implicit.sweeps"');
    expect(() => loadConfig({ root, env: {} })).toThrow('config/training.json "ranker.ratingWeightGrid"');
  });

  it('when the source is relative, then the env one follows the current directory and the file one the root', () => {
    const root = tempRoot();
    expect(loadConfig({ root, env: { MOVIELENS_SOURCE: 'ml', INIT_CWD: '/somewhere' } }).dataset.source).toBe('/somewhere/ml');
    const file = join(root, 'config', 'dataset.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), source: 'downloads/ml' }));
    expect(loadConfig({ root, env: { INIT_CWD: '/somewhere' } }).dataset.source).toBe(join(root, 'downloads', 'ml'));
  });

  it('when a file has an unknown key or broken JSON, then loading fails clearly', () => {
    const root = tempRoot();
    writeFileSync(join(root, 'config', 'serving.json'), '{"port": 1, ');
    expect(() => loadConfig({ root, env: {} })).toThrow(/serving.json is not valid JSON/);
    writeFileSync(
      join(root, 'config', 'serving.json'),
      JSON.stringify({
        host: 'h',
        port: 1,
        bodyLimit: '1kb',
        maxRecommendations: 5,
        corsOrigins: '',
        webRoot: null,
        metrics: { host: '127.0.0.1', port: null },
        prot: 2,
      }),
    );
    expect(() => loadConfig({ root, env: {} })).toThrow(/serving.json/);
  });

  it('when listing env overrides, then every training key has one', () => {
    expect(ENV_OVERRIDES.REELRANK_TRAIN_LEARNING_RATE).toEqual(['training', 'learningRate']);
    expect(ENV_OVERRIDES.REELRANK_TRAIN_POPULARITY_MIN_RATINGS).toEqual(['training', 'popularityMinRatings']);
    expect(ENV_OVERRIDES.REELRANK_TRAIN_THREADS).toEqual(['training', 'threads']);
    expect(ENV_OVERRIDES.REELRANK_SYNTHETIC_SEED).toEqual(['dataset', 'synthetic.seed']);
    expect(ENV_OVERRIDES.REELRANK_TRAIN_RANKER).toBeUndefined();
  });
});
