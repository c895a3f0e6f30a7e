import type { ParseArgsConfig } from 'node:util';
import type { AppConfig } from '@reelrank/config';
import type { Recommender } from '@reelrank/serving';

export interface CommandContext {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  config: AppConfig;
  /** Present when the command declares `needsModel`. */
  recommender?: Recommender;
  usage: string;
  env: NodeJS.ProcessEnv;
  verbose: boolean;
  log: (line: string) => void;
}

export interface CommandResult {
  /** What --json prints. */
  json: unknown;
  /** What a person reads. */
  text: string;
  exitCode?: number;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  needsModel: boolean;
  run(context: CommandContext): CommandResult | Promise<CommandResult>;
}
