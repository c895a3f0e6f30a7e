import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './load-config.js';
import { ENV_OVERRIDES } from './schema.js';

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
  });

  it('when env variables are set, then they override the files with the right types', () => {
    const root = tempRoot();
    const config = loadConfig({
      root,
      env: { PORT: '9001', REELRANK_TRAIN_FACTORS: '12', REELRANK_TRAIN_REFIT_ON_ALL: 'false', MOVIELENS_SOURCE: '/x/y', REELRANK_DATASET: 'ml-100k' },
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
    try {
      loadConfig({ root, env: { PORT: 'eighty', REELRANK_DATASET: '../ml-3m' } });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('config/serving.json "port" (env PORT)');
      expect(message).toContain('config/dataset.json "dataset" (env REELRANK_DATASET)');
    }
  });

  it('when a file has an unknown key or broken JSON, then loading fails clearly', () => {
    const root = tempRoot();
    writeFileSync(join(root, 'config', 'serving.json'), '{"port": 1, ');
    expect(() => loadConfig({ root, env: {} })).toThrow(/serving.json is not valid JSON/);
    writeFileSync(join(root, 'config', 'serving.json'), JSON.stringify({ host: 'h', port: 1, bodyLimit: '1kb', maxRecommendations: 5, corsOrigins: '*', webRoot: null, prot: 2 }));
    expect(() => loadConfig({ root, env: {} })).toThrow(/serving.json/);
  });

  it('when listing env overrides, then every training key has one', () => {
    expect(ENV_OVERRIDES.REELRANK_TRAIN_LEARNING_RATE).toEqual(['training', 'learningRate']);
    expect(ENV_OVERRIDES.REELRANK_TRAIN_POPULARITY_MIN_RATINGS).toEqual(['training', 'popularityMinRatings']);
  });
});
