import { z } from 'zod';
import {
  datasetConfigSchema,
  identityConfigSchema,
  identityEnvSchema,
  operationsConfigSchema,
  operationsEnvSchema,
  servingConfigSchema,
  storageConfigSchema,
  trainingConfigSchema,
  type CachedStage,
  type ConfigGroup,
  type SettingMeta,
} from './schema.js';

/**
 * Each group of settings, by concern: its file under config/ (null: env only), whether the file may
 * be absent (every key has a default), and its schema.
 */
export const CONFIG_GROUPS = {
  dataset: { file: 'dataset.json', optional: false, schema: datasetConfigSchema },
  training: { file: 'training.json', optional: false, schema: trainingConfigSchema },
  serving: { file: 'serving.json', optional: false, schema: servingConfigSchema },
  identity: { file: 'identity.json', optional: true, schema: identityConfigSchema },
  storage: { file: null, optional: true, schema: storageConfigSchema },
  operations: { file: 'operations.json', optional: true, schema: operationsConfigSchema },
} as const satisfies Record<ConfigGroup, { file: string | null; optional: boolean; schema: z.ZodType }>;

/** The top-level keys of a group with a file that only the environment sets: its env schema's (what loadEnvConfig reads before the files). */
const ENV_ONLY_KEYS: Partial<Record<ConfigGroup, readonly string[]>> = {
  identity: Object.keys(identityEnvSchema.shape),
  operations: Object.keys(operationsEnvSchema.shape),
};

/** One setting as the schema defines it. */
export interface Setting {
  group: ConfigGroup;
  /** Dotted path inside the group, e.g. `gate.seed`. */
  key: string;
  /** The env variable that overrides it, if any. */
  env: string | null;
  /** The env value is taken as text, never parsed as a number, boolean or null word. */
  text: boolean;
  /** Only the env variable sets it, never the group's file (a group without a file: all its keys; else its env schema's keys). */
  envOnly: boolean;
  /** The cached stages whose Nx hash it enters (none: it changes no artifact). */
  stages: readonly CachedStage[];
  /** Its type as a reader would write it, e.g. `integer | null`, `"auto" | "svdpp" | "mf"`. */
  type: string;
  /** The default of a key that has one in the schema (the files under config/ hold the others). */
  default: unknown;
  doc: string;
}

type Node = z.core.$ZodType;
const defOf = (node: Node) => node._zod.def as unknown as Record<string, unknown> & { type: string };
const metaOf = (node: Node): SettingMeta & { description?: string } => (z.globalRegistry.get(node) ?? {}) as SettingMeta;

/** The schema under default / prefault / optional / nullable / preprocess wrappers, with what they add. */
function unwrap(node: Node): { inner: Node; nullable: boolean; hasDefault: boolean; defaultValue: unknown; metas: Node[] } {
  const metas: Node[] = [node];
  let nullable = false;
  let hasDefault = false;
  let defaultValue: unknown;
  for (;;) {
    const def = defOf(node);
    if (def.type === 'default' || def.type === 'prefault') {
      if (!hasDefault) [hasDefault, defaultValue] = [true, def.defaultValue];
      node = def.innerType as Node;
    } else if (def.type === 'nullable' || def.type === 'optional') {
      nullable ||= def.type === 'nullable';
      node = def.innerType as Node;
    } else if (def.type === 'pipe') {
      node = def.out as Node; // preprocess: the value's type is the pipe's output
    } else {
      metas.push(node);
      return { inner: node, nullable, hasDefault, defaultValue, metas };
    }
    metas.push(node);
  }
}

function typeName(node: Node): string {
  const def = defOf(node);
  switch (def.type) {
    case 'number':
      return (def.checks as Node[] | undefined)?.some((c) => defOf(c).check === 'number_format') ? 'integer' : 'number';
    case 'enum':
      return Object.values(def.entries as Record<string, string>)
        .map((v) => `"${v}"`)
        .join(' | ');
    case 'array':
      return `${typeName(def.element as Node)}[]`;
    case 'union':
      return (def.options as Node[]).map(typeName).join(' | ');
    case 'literal':
      return (def.values as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
    default:
      return def.type;
  }
}

const isText = (node: Node) => ['string', 'enum'].includes(defOf(node).type);
const capsOf = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

function collect(group: ConfigGroup, node: Node, path: string[], inherited: SettingMeta, out: Setting[]): void {
  const { inner, nullable, hasDefault, defaultValue, metas } = unwrap(node);
  const meta: SettingMeta & { description?: string } = Object.assign({}, ...metas.map(metaOf).reverse());
  if (defOf(inner).type === 'object') {
    const shape = defOf(inner).shape as Record<string, Node>;
    const stages = meta.stages ?? inherited.stages;
    for (const [key, child] of Object.entries(shape)) {
      collect(group, child, [...path, key], { stages, envPrefix: path.length === 0 ? meta.envPrefix : undefined }, out);
    }
    return;
  }
  const key = path.join('.');
  out.push({
    group,
    key,
    env: meta.env ?? (inherited.envPrefix ? `${inherited.envPrefix}${capsOf(key)}` : null),
    text: isText(inner),
    envOnly: CONFIG_GROUPS[group].file === null || (ENV_ONLY_KEYS[group]?.includes(path[0]) ?? false),
    stages: meta.stages ?? inherited.stages ?? [],
    type: `${typeName(inner)}${nullable ? ' | null' : ''}`,
    default: hasDefault ? defaultValue : undefined,
    doc: meta.description ?? '',
  });
}

/** Every setting of every group, in the schema's order. */
export const SETTINGS: readonly Setting[] = (Object.keys(CONFIG_GROUPS) as ConfigGroup[]).flatMap((group) => {
  const out: Setting[] = [];
  collect(group, CONFIG_GROUPS[group].schema, [], {}, out);
  return out;
});

/** Environment variables that override one setting each: `VAR -> [group, key]` (a dotted key is nested). */
export const ENV_OVERRIDES: Record<string, readonly [group: ConfigGroup, key: string]> = Object.fromEntries(
  SETTINGS.filter((s) => s.env).map((s) => [s.env as string, [s.group, s.key] as const]),
);

/** Env variables whose value is taken as text (never parsed as a number or boolean). */
export const TEXT_ENV: ReadonlySet<string> = new Set(SETTINGS.filter((s) => s.env && s.text).map((s) => s.env as string));

const STAGES_OF_ENV = new Map(SETTINGS.filter((s) => s.env).map((s) => [s.env as string, s.stages]));

/**
 * Which cached stages an env variable changes the output of: exactly the env inputs of that stage's
 * Nx hash (tools/nx/stage-targets.js adds them). A stage also hashes everything its upstream stages
 * hash. Variables of no stage (serving, logging, verbosity) change no artifact.
 */
export function stagesOfEnv(name: string): CachedStage[] {
  return [...(STAGES_OF_ENV.get(name) ?? [])];
}
