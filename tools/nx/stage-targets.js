// Nx plugin: the inputs and outputs of the cached stages.
//
// Inputs: a stage's files and fingerprints (the named inputs in nx.json), plus the env variables
// of every setting that enters its hash or an upstream stage's. Those come from the config schema
// itself (@reelrank/config SETTINGS: each setting names its env variable and stages once), so a new
// setting reaches the right cache key without being listed here or in nx.json.
//
// Outputs, per data set:
// A stage writes only its own data set's artifacts (data/raw/<dataset>/, data/processed/<dataset>/,
// data/<dataset>.db, models/<dataset>/, reports/<dataset>/), so its Nx outputs must be exactly
// those paths: with whole `data/` or `models/` folders as outputs, restoring one data set's cache
// entry would replace (wipe) every other data set's artifacts. The data set and the folders come
// from the config (config/dataset.json + REELRANK_DATASET, REELRANK_DATA_DIR, REELRANK_MODELS_DIR,
// REELRANK_ROOT), which Nx cannot interpolate into `outputs` itself, so this plugin resolves them
// with @reelrank/config each time Nx builds the project graph (the daemon is off in nx.json, so
// the environment of the current command is the one used).
//
// Nx can only store and restore outputs inside the workspace. When a stage's folder is outside it
// (REELRANK_DATA_DIR=/srv/data, say), a cache hit would restore nothing and leave the artifact
// missing, so that stage is not cached at all: it runs every time (see docs/pipeline.md).
const { isAbsolute, relative, resolve } = require('node:path');

const STAGES = {
  'packages/ingest': {
    target: 'pipeline',
    upstream: ['ingest'],
    inputs: ['ingestStage'],
    // The downloaded zip (data/raw/<dataset>.zip, absent for a local source) too: a restored entry then
    // does not download again when a later change reruns ingest.
    outputs: (c) => [c.paths.rawDir, `${c.paths.rawDir}.zip`, c.paths.processedDir],
  },
  'packages/database': {
    target: 'pipeline',
    upstream: ['ingest', 'database'],
    inputs: ['databaseStage', { runtime: 'node tools/fingerprint-catalogue.mjs' }],
    outputs: (c) => [c.paths.dbPath],
  },
  'packages/trainer': {
    target: 'pipeline',
    upstream: ['ingest', 'database', 'train'],
    inputs: ['trainStage'],
    outputs: (c) => [c.paths.modelDir],
  },
  'packages/report': {
    target: 'report',
    upstream: ['ingest', 'database', 'train', 'report'],
    inputs: ['trainStage', '{workspaceRoot}/packages/report/src/**/*', '!{workspaceRoot}/packages/report/src/**/*.spec.ts'],
    outputs: (c) => [resolve(c.root, 'reports', c.dataset.dataset)],
  },
};

/** The config package (TypeScript), loaded in-process by tsx (a dev dependency). */
function configPackage() {
  const { require: tsxRequire } = require('tsx/cjs/api');
  return tsxRequire('../../packages/config/src/index.ts', __filename);
}

function loadStageConfig(workspaceRoot) {
  const { loadConfig, loadEnvConfig } = configPackage();
  const { storage } = loadEnvConfig(process.env);
  return loadConfig({ root: storage.root ? resolve(storage.root) : workspaceRoot, env: process.env });
}

/** The env variables of the settings that enter any of `stages` (schema order). */
function envInputs(stages) {
  const { SETTINGS } = configPackage();
  return SETTINGS.filter((s) => s.env && s.stages.some((stage) => stages.includes(stage))).map((s) => ({ env: s.env }));
}

/** `{workspaceRoot}/…` for a path inside the workspace, null outside it. */
function insideWorkspace(workspaceRoot, path) {
  const rel = relative(workspaceRoot, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return `{workspaceRoot}/${rel.split('\\').join('/')}`;
}

/** Target settings (inputs, outputs, cache) of every cached stage for the current config. */
function stageTargets(workspaceRoot) {
  let config;
  try {
    config = loadStageConfig(workspaceRoot);
  } catch {
    // An invalid config: the stage itself reports it (naming the key and env variable); never cache.
    config = null;
  }
  const targets = {};
  for (const [projectRoot, stage] of Object.entries(STAGES)) {
    const outputs = config ? stage.outputs(config).map((path) => insideWorkspace(workspaceRoot, path)) : [null];
    const cacheable = outputs.every((output) => output !== null);
    const inputs = [...stage.inputs, ...envInputs(stage.upstream)];
    targets[projectRoot] = { [stage.target]: { cache: cacheable, inputs, outputs: cacheable ? outputs : [] } };
  }
  return targets;
}

const createNodes = [
  '{packages/ingest,packages/database,packages/trainer,packages/report}/package.json',
  async (files, _options, context) => {
    const targets = stageTargets(context.workspaceRoot);
    return files.map((file) => {
      const projectRoot = file.slice(0, -'/package.json'.length);
      return [file, { projects: { [projectRoot]: { targets: targets[projectRoot] } } }];
    });
  },
];

module.exports = { createNodes, stageTargets, STAGES };
