import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EvaluationReport } from '@reelrank/trainer';
import { DATASET_NAME_PATTERN, DATASET_NAMES } from '@reelrank/config';
import { CliFailure, UsageError } from './errors.js';
import { loadCliConfig, PIPELINE_HINT } from './model-context.js';
import type { AppConfig } from '@reelrank/config';
import type { Command, CommandContext } from './command.js';

/** The trainer (and TF.js behind it) loads only for `evaluate`, keeping the other commands' start-up short. */
function trainer(): typeof import('@reelrank/trainer') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@reelrank/trainer');
}

function reportText(report: Pick<EvaluationReport, 'models' | 'k' | 'splits'>, heading: string): string {
  return `${heading}\n${trainer().formatModelTable(report.models, report.k)}`;
}

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'RMSE, MAE, P@10, R@10, NDCG@10 of the model and the baselines',
  usage: 'reelrank evaluate [--split TRAIN.csv,TEST.csv] [--json]',
  options: { split: { type: 'string' } },
  needsModel: false,
  async run({ values, config, usage, verbose, log }) {
    if (values.split === undefined) {
      // The trained model's own report: metrics.json is written by the same evaluation code.
      const path = join(config.paths.modelDir, 'metrics.json');
      if (!existsSync(path)) throw new CliFailure(`no trained model for ${config.dataset.dataset}: ${PIPELINE_HINT}`);
      const report = JSON.parse(readFileSync(path, 'utf8')) as EvaluationReport;
      const heading = `${config.dataset.dataset}: test split of ${report.splits.test} ratings (seed ${config.training.seed})`;
      return {
        json: { dataset: config.dataset.dataset, k: report.k, splits: report.splits, models: report.models },
        text: reportText(report, heading),
      };
    }
    const files = String(values.split)
      .split(',')
      .map((f) => resolve(f.trim()));
    if (files.length !== 2 || files.some((f) => !f)) throw new UsageError('--split takes two files: TRAIN.csv,TEST.csv', usage);
    for (const file of files) if (!existsSync(file)) throw new CliFailure(`${file} does not exist`);
    const { evaluateOnSplit, readRatingsCsv } = trainer();
    const [train, test] = files.map((file) => readRatingsCsv(file));
    const { report } = await evaluateOnSplit(train, test, config.training, { log: verbose ? log : undefined });
    const heading = `fit on ${files[0]} (${report.splits.train} ratings), evaluated on ${files[1]} (${report.splits.test} ratings)`;
    return { json: { k: report.k, splits: report.splits, test: report.test, models: report.models }, text: reportText(report, heading) };
  },
};

/** The Nx workspace the CLI belongs to (Nx runs there even when REELRANK_ROOT puts the data elsewhere). */
const NX_WORKSPACE = resolve(__dirname, '..', '..', '..', '..');

export const PIPELINE_OPTIONS = { dataset: { type: 'string' }, source: { type: 'string' } } as const;

/** How the pipeline runs: `nx run-many -t pipeline publish` in the workspace, with the flags' data set and source in its env. */
export interface PipelineInvocation {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function pipelineInvocation({ values, usage, env }: Pick<CommandContext, 'values' | 'usage' | 'env'>): PipelineInvocation {
  // Nx loads its project-graph plugins in its own process: ~1.5 s less per run than one worker process per plugin (Nx's default).
  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    NX_NO_CLOUD: 'true',
    NX_DAEMON: env.NX_DAEMON ?? 'false',
    NX_ISOLATE_PLUGINS: env.NX_ISOLATE_PLUGINS ?? 'false',
  };
  if (values.dataset !== undefined) {
    if (!DATASET_NAME_PATTERN.test(String(values.dataset))) {
      throw new UsageError(
        `--dataset must be a GroupLens name (${DATASET_NAMES.join(', ')}) or, with --source, a name of letters, digits, ".", "-" and "_"`,
        usage,
      );
    }
    childEnv.REELRANK_DATASET = String(values.dataset);
  }
  if (values.source !== undefined) childEnv.MOVIELENS_SOURCE = resolve(String(values.source));
  const nx = require.resolve('nx/bin/nx.js', { paths: [NX_WORKSPACE] });
  return {
    command: process.execPath,
    args: [nx, 'run-many', '-t', 'pipeline', 'publish', '--output-style=stream'],
    cwd: NX_WORKSPACE,
    env: childEnv,
  };
}

export const pipelineFailure = (code: number | string | null) =>
  new CliFailure(`the pipeline failed (nx exit code ${code}); see the stage output above`);

/**
 * `nx run-many -t pipeline publish`: the stale stages run, the cached ones are restored (the train
 * stage is stale when ratings were posted since, see tools/fingerprint-ratings.mjs), then
 * `trainer:publish` makes the model they describe live (a restored one too). Returns the config the
 * stages ran with.
 */
export function runPipelineStages(context: Pick<CommandContext, 'values' | 'usage' | 'env'>): AppConfig {
  const { command, args, cwd, env } = pipelineInvocation(context);
  const run = spawnSync(command, args, { cwd, env, stdio: 'inherit' });
  if (run.status !== 0) throw pipelineFailure(run.status ?? run.signal);
  return loadCliConfig(env);
}

// Declarative like the other commands (alike by shape only): name, usage and flags; parsing and running are the CLI's, once.
export const pipelineCommand: Command = {
  name: 'pipeline',
  summary: 'Run the stale stages (ingest -> database -> train) through Nx, so caching applies',
  usage: 'reelrank pipeline [--dataset NAME] [--source PATH]',
  options: PIPELINE_OPTIONS,
  needsModel: false,
  run(context) {
    runPipelineStages(context);
    return { json: { status: 'ok' }, text: 'pipeline up to date' };
  },
};
