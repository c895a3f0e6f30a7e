import { parseArgs } from 'node:util';
import { ServingError } from '@reelrank/serving';
import { CliFailure, UsageError } from './errors.js';
import { experimentsCommand } from './experiment-commands.js';
import { keysCommand } from './key-commands.js';
import { modelsCommand } from './model-commands.js';
import { loadCliConfig, openRecommender } from './model-context.js';
import { ratingsCommand } from './ratings-commands.js';
import { predictCommand, recommendCommand, searchCommand, similarCommand } from './query-commands.js';
import { retrainCommand } from './retrain-command.js';
import { evaluateCommand, pipelineCommand } from './stage-commands.js';
import type { Command } from './command.js';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

const COMMANDS: Command[] = [
  recommendCommand,
  predictCommand,
  similarCommand,
  searchCommand,
  evaluateCommand,
  pipelineCommand,
  retrainCommand,
  modelsCommand,
  ratingsCommand,
  keysCommand,
  experimentsCommand,
];
const GLOBAL_OPTIONS = { json: { type: 'boolean' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: reelrank <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options for every command: --json (machine-readable output), --verbose (stack traces), -h/--help.',
    'Config comes from config/*.json and the environment (REELRANK_DATASET, MOVIELENS_SOURCE, REELRANK_TRAIN_*).',
    'Exit codes: 0 ok, 1 failure, 2 bad usage.',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return `Usage: ${command.usage}\n\n${command.summary}.`;
}

/** Runs one command line; returns the exit code (0 ok, 1 failure, 2 bad usage). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const out = (text: string) => io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  const err = (text: string) => io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(mainHelp());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    err(`reelrank: unknown command "${name}"\n${mainHelp()}`);
    return 2;
  }
  let verbose = rest.includes('--verbose');
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message.split('\n')[0], command.usage);
    }
    const { values, positionals } = parsed;
    verbose = Boolean(values.verbose);
    if (values.help) {
      out(commandHelp(command));
      return 0;
    }
    if (positionals.length && !['search', 'models', 'ratings', 'keys', 'experiments'].includes(command.name))
      throw new UsageError(`unexpected argument "${positionals[0]}"`, command.usage);
    const config = loadCliConfig(io.env);
    const recommender = command.needsModel ? await openRecommender(config) : undefined;
    try {
      const result = await command.run({ values, positionals, config, recommender, usage: command.usage, env: io.env, verbose, log: err });
      out(values.json ? JSON.stringify(result.json, null, 2) : result.text);
      return result.exitCode ?? 0;
    } finally {
      recommender?.close();
    }
  } catch (error) {
    if (verbose && error instanceof Error) err(error.stack ?? error.message);
    if (error instanceof UsageError) {
      err(`reelrank ${command.name}: ${error.message}\nUsage: ${error.usage}`);
      return 2;
    }
    if (error instanceof ServingError) {
      // The recommender's client errors: an unknown movie fails, an invalid value is usage.
      const detail = error.details?.[0]?.message ?? error.message;
      err(`reelrank ${command.name}: ${detail}`);
      return error.kind === 'invalid-input' ? 2 : 1;
    }
    err(`reelrank ${command.name}: ${error instanceof CliFailure ? error.message : `${(error as Error).message ?? error}`}`);
    return 1;
  }
}
