import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import {
  identityEnvSchema,
  operationsEnvSchema,
  type ConfigGroup,
  type DatasetConfig,
  type EnvConfig,
  type IdentityConfig,
  type OperationsConfig,
  type ServingConfig,
  type StorageConfig,
  type TrainingConfig,
} from './schema.js';
import { CONFIG_GROUPS as GROUPS, ENV_OVERRIDES, SETTINGS, TEXT_ENV } from './settings.js';
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
  /** Who may call what: anonymous reads, visitors, the admin credential, the per-identity limits. */
  identity: IdentityConfig;
  /** Where the workspace, its artifacts and the posted data live (env only). */
  storage: StorageConfig;
  /** The process (logging, workers, shutdown, TF.js backend) and the retrain watcher and drift. */
  operations: OperationsConfig;
  paths: StagePaths;
}

export type ResolvedDatasetConfig = Omit<DatasetConfig, 'dataset'> & { dataset: string };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Overrides = {
  dataset?: Partial<DatasetConfig>;
  training?: Partial<TrainingConfig>;
  serving?: Partial<ServingConfig>;
  identity?: Partial<IdentityConfig>;
  storage?: Partial<StorageConfig>;
  operations?: Partial<OperationsConfig>;
};

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults to REELRANK_ROOT, else the workspace root found from the current directory. */
  root?: string;
  /** Per-group values that win over files and env (tests use this). */
  overrides?: Overrides;
  /** Where a deprecation line goes (a setting read from a deprecated place); default: stderr, each line once per process. */
  warn?: (line: string) => void;
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
function parseGroup(
  group: ConfigGroup,
  raw: Record<string, unknown>,
  problems: string[],
  schema: z.ZodType = GROUPS[group].schema,
  file: string | null = GROUPS[group].file,
): unknown {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const key = issue.path.join('.');
    const envName = ENV_NAME_OF[`${group}.${key}`];
    const where = file
      ? `config/${file}${key ? ` "${key}"` : ''}${envName ? ` (env ${envName})` : ''}`
      : envName
        ? `env ${envName}`
        : `${group} setting${key ? ` "${key}"` : ''}`;
    problems.push(`${where}: ${issue.message}`);
  }
  return undefined;
}

const ENV_ONLY = new Set(SETTINGS.filter((s) => s.env && s.envOnly).map((s) => s.env as string));

function envGroup(
  group: ConfigGroup,
  env: NodeJS.ProcessEnv,
  into: Record<string, unknown>,
  only: 'all' | 'envOnly' = 'all',
  fromEnv?: Set<string>,
): void {
  for (const [name, [g, key]] of Object.entries(ENV_OVERRIDES)) {
    if (g !== group || (only === 'envOnly' && !ENV_ONLY.has(name))) continue;
    const value = env[name];
    if (value === undefined) continue;
    setPath(into, key, envValue(name, value));
    fromEnv?.add(key);
  }
}

/**
 * The settings only the environment sets (storage, and the env-only keys of identity and operations),
 * validated on their own: what a process needs before or without the config files (the workspace root,
 * the API's admin credential and logging, the cluster's workers, a stage's verbosity).
 */
export function loadEnvConfig(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const problems: string[] = [];
  const raw = { storage: {}, identity: {}, operations: {} };
  for (const group of ['storage', 'identity', 'operations'] as const) envGroup(group, env, raw[group], 'envOnly');
  const parsed = {
    storage: parseGroup('storage', raw.storage, problems) as EnvConfig['storage'],
    identity: parseGroup('identity', raw.identity, problems, identityEnvSchema, null) as EnvConfig['identity'],
    operations: parseGroup('operations', raw.operations, problems, operationsEnvSchema, null) as EnvConfig['operations'],
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed;
}

/** pino level of the API: LOG_LEVEL, else silent under NODE_ENV=test, else info. */
export function logLevelOf(operations: Pick<OperationsConfig, 'logLevel' | 'nodeEnv'>): string {
  return operations.logLevel ?? (operations.nodeEnv === 'test' ? 'silent' : 'info');
}

/**
 * Group files under their former names, still read: the group whose file replaced each. Alone, a former
 * file is read in its replacement's place with one deprecation line; beside its replacement it is an
 * error, since neither may silently win.
 */
export const DEPRECATED_FILES: Readonly<Record<string, ConfigGroup>> = { 'security.json': 'identity', 'retrain.json': 'operations' };

/** A group's file, or its deprecated file in its place (with a deprecation line); which one was read. */
function readGroup(
  root: string,
  group: ConfigGroup,
  problems: string[],
  warn: (line: string) => void,
): { raw: Record<string, unknown>; file: string } {
  const { file, optional } = GROUPS[group] as { file: string; optional: boolean };
  const deprecatedFile = Object.keys(DEPRECATED_FILES).find((former) => DEPRECATED_FILES[former] === group);
  if (deprecatedFile && existsSync(join(root, 'config', deprecatedFile))) {
    if (existsSync(join(root, 'config', file))) {
      problems.push(
        `config/${deprecatedFile} and config/${file} both exist: its settings moved to config/${file}; merge them there and delete config/${deprecatedFile}`,
      );
      return { raw: {}, file };
    }
    warn(`deprecated: config/${deprecatedFile} is read as config/${file} (group "${group}"); rename it`);
    return { raw: readGroupFile(root, deprecatedFile, problems), file: deprecatedFile };
  }
  return { raw: readGroupFile(root, file, problems, optional), file };
}

/** A key of a group's file that only the environment sets is refused, naming its env variables. */
function refuseEnvOnly(group: ConfigGroup, raw: Record<string, unknown>, file: string, problems: string[]): void {
  for (const key of Object.keys(raw)) {
    const envOnly = SETTINGS.filter((s) => s.group === group && s.envOnly && (s.key === key || s.key.startsWith(`${key}.`)));
    if (envOnly.length)
      problems.push(`config/${file} "${key}": set by the environment only (${envOnly.map((s) => s.env).join(', ')}), not by a file`);
  }
}

const warned = new Set<string>();
/** A deprecation line on stderr, once per process. */
function warnOnce(line: string): void {
  if (warned.has(line)) return;
  warned.add(line);
  process.stderr.write(`reelrank config: ${line}\n`);
}

const FILE_GROUPS = ['dataset', 'training', 'serving', 'identity', 'operations'] as const;

/**
 * Loads config/{dataset,training,serving,identity,operations}.json, applies environment overrides and
 * validates everything at once, so a bad setting fails fast naming the key and its env var.
 * This is the only module that reads the environment (see ENV_OVERRIDES).
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const overrides = options.overrides ?? {};
  const applyOverrides = (group: ConfigGroup, into: Record<string, unknown>) => Object.assign(into, overrides[group] ?? {});

  const rawStorage: Record<string, unknown> = {};
  envGroup('storage', env, rawStorage);
  applyOverrides('storage', rawStorage);
  const storage = parseGroup('storage', rawStorage, problems) as StorageConfig | undefined;
  const root = options.root ?? findWorkspaceRoot(process.cwd(), storage?.root ?? undefined);

  const parsed: Partial<Record<(typeof FILE_GROUPS)[number], unknown>> = {};
  const sourceFromEnv = new Set<string>();
  for (const group of FILE_GROUPS) {
    const { raw, file } = readGroup(root, group, problems, options.warn ?? warnOnce);
    refuseEnvOnly(group, raw, file, problems);
    envGroup(group, env, raw, 'all', group === 'dataset' ? sourceFromEnv : undefined);
    applyOverrides(group, raw);
    parsed[group] = parseGroup(group, raw, problems, GROUPS[group].schema, file);
  }
  if (problems.length > 0 || !storage) throw new ConfigError(problems);
  const dataset = parsed.dataset as ResolvedDatasetConfig;
  const serving = parsed.serving as ServingConfig;

  if (dataset.source && !isAbsolute(dataset.source)) {
    // A relative MOVIELENS_SOURCE is relative to where the user typed the command (npm sets
    // INIT_CWD); a relative `source` in config/dataset.json is relative to the workspace root.
    const base = sourceFromEnv.has('source') && !options.overrides?.dataset?.source ? (storage.initCwd ?? process.cwd()) : root;
    dataset.source = resolve(base, dataset.source);
  }
  if (serving.webRoot) serving.webRoot = resolve(root, serving.webRoot);
  // Unnamed: a local source is stored under its own name, a download is ml-latest-small.
  dataset.dataset ??= dataset.source ? datasetNameFromSource(dataset.source) : DEFAULT_DATASET;
  return {
    root,
    dataset,
    training: parsed.training as TrainingConfig,
    serving,
    identity: parsed.identity as IdentityConfig,
    storage,
    operations: parsed.operations as OperationsConfig,
    paths: resolvePaths(root, dataset.dataset, storage),
  };
}
