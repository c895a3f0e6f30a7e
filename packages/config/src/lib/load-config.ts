import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import {
  type ConfigGroup,
  type DatasetConfig,
  type LimitsConfig,
  type RetrainConfig,
  type RuntimeConfig,
  type SecurityConfig,
  type ServingConfig,
  type TrainingConfig,
} from './schema.js';
import { CONFIG_GROUPS as GROUPS, ENV_OVERRIDES, TEXT_ENV } from './settings.js';
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
  runtime: RuntimeConfig;
  security: SecurityConfig;
  /** Per-identity limits of the API (env only). */
  limits: LimitsConfig;
  /** `reelrank retrain --watch` (config/retrain.json, optional). */
  retrain: RetrainConfig;
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
  /** Defaults to REELRANK_ROOT, else the workspace root found from the current directory. */
  root?: string;
  /** Per-group values that win over files and env (tests use this). */
  overrides?: {
    dataset?: Partial<DatasetConfig>;
    training?: Partial<TrainingConfig>;
    serving?: Partial<ServingConfig>;
    runtime?: Partial<RuntimeConfig>;
    security?: Partial<SecurityConfig>;
    limits?: Partial<LimitsConfig>;
    retrain?: Partial<RetrainConfig>;
  };
}

/** Parses an env string into the type the schema expects (numbers, booleans, null). */
export function parseEnvValue(raw: string): unknown {
  const trimmed = raw.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (trimmed === '' || trimmed === 'null') return null;
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(trimmed)) return Number(trimmed);
  // Large counts may be written with separators: 20_000_263 or 20,000,263.
  if (/^\d{1,3}([_,]\d{3})+$/.test(trimmed)) return Number(trimmed.replace(/[_,]/g, ''));
  return raw;
}

function envValue(name: string, raw: string): unknown {
  if (!TEXT_ENV.has(name)) return parseEnvValue(raw);
  return raw.trim() === '' ? null : raw;
}

function readGroupFile(root: string, file: string, problems: string[], optional = false): Record<string, unknown> {
  const path = join(root, 'config', file);
  if (optional && !existsSync(path)) return {};
  if (!existsSync(path)) {
    problems.push(`config/${file} is missing (expected at ${path})`);
    return {};
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    problems.push(`config/${file} is not valid JSON: ${(error as Error).message}`);
    return {};
  }
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    // Copy on write: the nested object may be shared with the parsed file.
    node[key] = next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

const ENV_NAME_OF: Record<string, string> = Object.fromEntries(
  Object.entries(ENV_OVERRIDES).map(([name, [group, key]]) => [`${group}.${key}`, name]),
);

/** Validates one group, turning zod issues into lines naming the file, the key and the env variable. */
function parseGroup<G extends ConfigGroup>(group: G, raw: Record<string, unknown>, problems: string[]): unknown {
  const result = (GROUPS[group].schema as z.ZodType).safeParse(raw);
  if (result.success) return result.data;
  const file = GROUPS[group].file;
  for (const issue of result.error.issues) {
    const key = issue.path.join('.');
    const envName = ENV_NAME_OF[`${group}.${key}`];
    const where = file
      ? `config/${file}${key ? ` "${key}"` : ''}${envName ? ` (env ${envName})` : ''}`
      : envName
        ? `env ${envName}`
        : `runtime setting${key ? ` "${key}"` : ''}`;
    problems.push(`${where}: ${issue.message}`);
  }
  return undefined;
}

function envGroup(group: ConfigGroup, env: NodeJS.ProcessEnv, into: Record<string, unknown>, fromEnv?: Set<string>): void {
  for (const [name, [g, key]] of Object.entries(ENV_OVERRIDES)) {
    if (g !== group) continue;
    const value = env[name];
    if (value === undefined) continue;
    setPath(into, key, envValue(name, value));
    fromEnv?.add(key);
  }
}

/**
 * The env-only process settings (runtime group), validated on their own: what a process needs
 * before or without the config files (the API's admin route and logging, the workspace root).
 */
export function loadRuntimeConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<RuntimeConfig> = {}): RuntimeConfig {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  envGroup('runtime', env, raw);
  Object.assign(raw, overrides);
  const parsed = parseGroup('runtime', raw, problems) as RuntimeConfig;
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed;
}

/** pino level of the API: LOG_LEVEL, else silent under NODE_ENV=test, else info. */
export function logLevelOf(runtime: Pick<RuntimeConfig, 'logLevel' | 'nodeEnv'>): string {
  return runtime.logLevel ?? (runtime.nodeEnv === 'test' ? 'silent' : 'info');
}

/**
 * Loads config/{dataset,training,serving}.json, applies environment overrides and
 * validates everything at once, so a bad setting fails fast naming the key and its env var.
 * This is the only module that reads the environment (see ENV_OVERRIDES).
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const rawRuntime: Record<string, unknown> = {};
  envGroup('runtime', env, rawRuntime);
  Object.assign(rawRuntime, options.overrides?.runtime ?? {});
  const runtime = parseGroup('runtime', rawRuntime, problems) as RuntimeConfig | undefined;
  const root = options.root ?? findWorkspaceRoot(process.cwd(), runtime?.root ?? undefined);

  const raw = {
    dataset: readGroupFile(root, 'dataset.json', problems),
    training: readGroupFile(root, 'training.json', problems),
    serving: readGroupFile(root, 'serving.json', problems),
    // Optional: every security setting has a default (a workspace from before the file keeps working).
    security: readGroupFile(root, 'security.json', problems, true),
    retrain: readGroupFile(root, 'retrain.json', problems, true),
  };
  const sourceFromEnv = new Set<string>();
  envGroup('dataset', env, raw.dataset, sourceFromEnv);
  envGroup('training', env, raw.training);
  envGroup('serving', env, raw.serving);
  envGroup('security', env, raw.security);
  envGroup('retrain', env, raw.retrain);
  for (const group of ['dataset', 'training', 'serving', 'security', 'retrain'] as const) Object.assign(raw[group], options.overrides?.[group] ?? {});

  const dataset = parseGroup('dataset', raw.dataset, problems) as ResolvedDatasetConfig;
  const training = parseGroup('training', raw.training, problems) as TrainingConfig;
  const serving = parseGroup('serving', raw.serving, problems) as ServingConfig;
  const security = parseGroup('security', raw.security, problems) as SecurityConfig;
  const retrain = parseGroup('retrain', raw.retrain, problems) as RetrainConfig;
  const rawLimits: Record<string, unknown> = {};
  envGroup('limits', env, rawLimits);
  Object.assign(rawLimits, options.overrides?.limits ?? {});
  const limits = parseGroup('limits', rawLimits, problems) as LimitsConfig;
  if (problems.length > 0 || !runtime) throw new ConfigError(problems);

  if (dataset.source && !isAbsolute(dataset.source)) {
    // A relative MOVIELENS_SOURCE is relative to where the user typed the command (npm sets
    // INIT_CWD); a relative `source` in config/dataset.json is relative to the workspace root.
    const base = sourceFromEnv.has('source') && !options.overrides?.dataset?.source ? (runtime.initCwd ?? process.cwd()) : root;
    dataset.source = resolve(base, dataset.source);
  }
  if (serving.webRoot) serving.webRoot = resolve(root, serving.webRoot);
  // Unnamed: a local source is stored under its own name, a download is ml-latest-small.
  dataset.dataset ??= dataset.source ? datasetNameFromSource(dataset.source) : DEFAULT_DATASET;
  return { root, dataset, training, serving, runtime, security, limits, retrain, paths: resolvePaths(root, dataset.dataset, runtime) };
}
