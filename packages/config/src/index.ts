/** @reelrank/config: the one place that reads settings (config/*.json + env), validated; paths. */
export { type AppConfig, DEPRECATED_FILES, loadConfig, loadEnvConfig, logLevelOf } from './lib/load-config.js';
export { redactDatabaseUrl } from './lib/database-url.js';
export { resolvePaths } from './lib/paths.js';
export {
  DATASET_NAME_PATTERN,
  DATASET_NAMES,
  defaultIdentityConfig,
  type EnvConfig,
  type IdentityConfig,
  type ImplicitConfig,
  limitsConfigSchema,
  type LimitsConfig,
  type RankerConfig,
  type OperationsConfig,
  splitList,
  DRIFT_FEATURE_NAMES,
  judgedDriftFeatures,
  type EaseConfig,
  type NeighbourhoodConfig,
  type GateConfig,
  type StorageConfig,
  type ServingConfig,
  type TrainingConfig,
} from './lib/schema.js';
export { type Setting, SETTINGS, CONFIG_GROUPS, ENV_OVERRIDES, stagesOfEnv } from './lib/settings.js';
export type { CachedStage } from './lib/schema.js';
