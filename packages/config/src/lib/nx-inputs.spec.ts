import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_OVERRIDES, stagesOfEnv, type CachedStage } from './schema.js';

/**
 * The Nx hash of each cached stage must name exactly the env variables the config schema reads for
 * that stage (and its upstream stages): one missing means a stale cache hit, one extra a needless rerun.
 */
const root = join(__dirname, '../../../..');
const readJson = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8'));
const nxJson = readJson('nx.json');
type Input = string | { env?: string; runtime?: string; externalDependencies?: string[] };

/** The inputs of a named input or target, with nested named inputs expanded. */
function expand(inputs: Input[], seen = new Set<string>()): Input[] {
  return inputs.flatMap((input) => {
    if (typeof input === 'string' && nxJson.namedInputs[input]) {
      if (seen.has(input)) return [];
      seen.add(input);
      return expand(nxJson.namedInputs[input], seen);
    }
    return [input];
  });
}
const envOf = (inputs: Input[]) => new Set(expand(inputs).flatMap((i) => (typeof i === 'object' && i.env ? [i.env] : [])));
const filesOf = (inputs: Input[]) => expand(inputs).filter((i): i is string => typeof i === 'string');

const UPSTREAM: Record<CachedStage, CachedStage[]> = {
  ingest: ['ingest'],
  database: ['ingest', 'database'],
  train: ['ingest', 'database', 'train'],
  report: ['ingest', 'database', 'train', 'report'],
};
const TARGETS: Record<CachedStage, { pkg: string; target: string }> = {
  ingest: { pkg: 'packages/ingest', target: 'pipeline' },
  database: { pkg: 'packages/database', target: 'pipeline' },
  train: { pkg: 'packages/trainer', target: 'pipeline' },
  report: { pkg: 'packages/report', target: 'report' },
};
const targetInputs = (stage: CachedStage): Input[] => readJson(`${TARGETS[stage].pkg}/package.json`).nx.targets[TARGETS[stage].target].inputs;

describe('Nx cache keys of the stages', () => {
  it.each(Object.keys(UPSTREAM) as CachedStage[])(
    'when hashing the %s stage, then its env inputs are exactly the settings it and its upstream stages read',
    (stage) => {
      const expected = Object.keys(ENV_OVERRIDES)
        .filter((name) => stagesOfEnv(name).some((s) => UPSTREAM[stage].includes(s)))
        .sort();
      expect([...envOf(targetInputs(stage))].sort()).toEqual(expected);
    },
  );

  it('when a stage writes artifacts, then the shared artifacts, config and stage-runner sources are inputs of its hash', () => {
    for (const stage of Object.keys(TARGETS) as CachedStage[]) {
      const files = filesOf(targetInputs(stage));
      expect(files).toContain('{workspaceRoot}/packages/artifacts/src/**/*');
      expect(files).toContain('{workspaceRoot}/packages/config/src/**/*');
      expect(files).toContain('{workspaceRoot}/packages/stage/src/**/*');
      expect(files).toContain(`{workspaceRoot}/${TARGETS[stage].pkg}/src/**/*`);
    }
  });

  it('when the ingest stage is hashed, then the source fingerprint (config or env source) is an input', () => {
    expect(expand(targetInputs('ingest'))).toContainEqual({ runtime: 'node tools/fingerprint-source.mjs' });
    expect(filesOf(targetInputs('ingest'))).toContain('{workspaceRoot}/config/dataset.json');
    expect(filesOf(targetInputs('train'))).toContain('{workspaceRoot}/config/training.json');
  });

  it('when the train stage is hashed, then the posted-ratings fingerprint is an input (so is it of the report); the ingest and database stages do not hash it', () => {
    const fingerprint = { runtime: 'node tools/fingerprint-ratings.mjs' };
    expect(expand(targetInputs('train'))).toContainEqual(fingerprint);
    expect(expand(targetInputs('report'))).toContainEqual(fingerprint); // the report hashes everything the train stage hashes
    expect(expand(targetInputs('ingest'))).not.toContainEqual(fingerprint);
    expect(expand(targetInputs('database'))).not.toContainEqual(fingerprint);
    const overlay = { runtime: 'node tools/fingerprint-catalogue-overlay.mjs' }; // the catalogue's overlay, kept next to the ratings
    expect(expand(targetInputs('train'))).toContainEqual(overlay);
    expect(expand(targetInputs('report'))).toContainEqual(overlay);
    expect(expand(targetInputs('database'))).not.toContainEqual(overlay);
  });

  it('when the database stage is hashed, then the catalogue fingerprint is an input of its target only, and DATABASE_URL is never an env input', () => {
    // Only the database target's own: the train stage reads what the database stage loaded (the
    // processed data, already hashed), so a load must not make a trained model stale; the posted
    // ratings' fingerprint already names the PostgreSQL server for training.
    const fingerprint = { runtime: 'node tools/fingerprint-catalogue.mjs' };
    expect(expand(targetInputs('database'))).toContainEqual(fingerprint);
    for (const stage of ['ingest', 'train', 'report'] as CachedStage[]) expect(expand(targetInputs(stage))).not.toContainEqual(fingerprint);
    for (const stage of Object.keys(TARGETS) as CachedStage[]) expect(envOf(targetInputs(stage)).has('DATABASE_URL')).toBe(false);
  });
});
