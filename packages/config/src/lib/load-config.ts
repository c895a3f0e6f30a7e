import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import {
  datasetConfigSchema,
  ENV_OVERRIDES,
  servingConfigSchema,
  trainingConfigSchema,
  type DatasetConfig,
  type ServingConfig,
  type TrainingConfig,
} from './schema.js';
import { findWorkspaceRoot } from './workspace-root.js';
import { resolvePaths, type StagePaths } from './paths.js';
import { DEFAULT_DATASET, datasetNameFromSource } from './dataset-name.js';

export interface AppConfig {
  /** Workspace root: config/, data/ and models/ are resolved against it. */
  root: string;
  /** `dataset` resolved: named in config/env, else taken from the source, else ml-latest-small. */
  dataset: ResolvedDatasetConfig;
  training: TrainingConfig;
  serving: ServingConfig;
  paths: StagePaths;
}

export type ResolvedDatasetConfig = Omit<DatasetConfig, 'dataset'> & { dataset: string };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults to the workspace root found from the current directory. */
  root?: string;
  /** Per-group values that win over files and env (tests use this). */
  overrides?: { dataset?: Partial<DatasetConfig>; training?: Partial<TrainingConfig>; serving?: Partial<ServingConfig> };
}

const GROUPS = {
  dataset: { file: 'dataset.json', schema: datasetConfigSchema },
  training: { file: 'training.json', schema: trainingConfigSchema },
  serving: { file: 'serving.json', schema: servingConfigSchema },
} as const;
type Group = keyof typeof GROUPS;

/** Parses an env string into the type the schema expects (numbers, booleans, null). */
function parseEnvValue(raw: string): unknown {
  const trimmed = raw.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (trimmed === '' || trimmed === 'null') return null;
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(trimmed)) return Number(trimmed);
  return raw;
}

function readGroupFile(root: string, group: Group, problems: string[]): Record<string, unknown> {
  const file = join(root, 'config', GROUPS[group].file);
  if (!existsSync(file)) {
    problems.push(`config/${GROUPS[group].file} is missing (expected at ${file})`);
    return {};
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    problems.push(`config/${GROUPS[group].file} is not valid JSON: ${(error as Error).message}`);
    return {};
  }
}

/**
 * Loads config/{dataset,training,serving}.json, applies environment overrides and
 * validates everything at once, so a bad setting fails fast naming the key and its env var.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const root = options.root ?? findWorkspaceRoot(process.cwd(), env);
  const problems: string[] = [];
  const raw: Record<Group, Record<string, unknown>> = {
    dataset: readGroupFile(root, 'dataset', problems),
    training: readGroupFile(root, 'training', problems),
    serving: readGroupFile(root, 'serving', problems),
  };
  const envNameOf: Record<string, string> = {};
  for (const [name, [group, key]] of Object.entries(ENV_OVERRIDES)) {
    envNameOf[`${group}.${key}`] = name;
    const value = env[name];
    if (value !== undefined) raw[group][key] = key === 'source' || key === 'host' || key === 'corsOrigins' ? value : parseEnvValue(value);
  }
  for (const group of Object.keys(GROUPS) as Group[]) Object.assign(raw[group], options.overrides?.[group] ?? {});

  const parsed = {} as { dataset: ResolvedDatasetConfig; training: TrainingConfig; serving: ServingConfig };
  for (const group of Object.keys(GROUPS) as Group[]) {
    const result = (GROUPS[group].schema as z.ZodType).safeParse(raw[group]);
    if (result.success) {
      (parsed as Record<Group, unknown>)[group] = result.data;
      continue;
    }
    for (const issue of result.error.issues) {
      const key = issue.path.join('.');
      const envName = envNameOf[`${group}.${key}`];
      const where = `config/${GROUPS[group].file}${key ? ` "${key}"` : ''}${envName ? ` (env ${envName})` : ''}`;
      problems.push(`${where}: ${issue.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  if (parsed.dataset.source && !isAbsolute(parsed.dataset.source)) {
    // A relative MOVIELENS_SOURCE is relative to where the user typed the command.
    parsed.dataset.source = resolve(env.INIT_CWD ?? process.cwd(), parsed.dataset.source);
  }
  if (parsed.serving.webRoot) parsed.serving.webRoot = resolve(root, parsed.serving.webRoot);
  // Unnamed: a local source is stored under its own name, a download is ml-latest-small.
  parsed.dataset.dataset ??= parsed.dataset.source ? datasetNameFromSource(parsed.dataset.source) : DEFAULT_DATASET;
  return { root, ...parsed, paths: resolvePaths(root, parsed.dataset.dataset, env) };
}
