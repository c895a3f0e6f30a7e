import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS, stagesOfEnv, type CachedStage } from '@reelrank/config';

/**
 * The Nx hash of each cached stage must name exactly the env variables of the settings that stage
 * (and its upstream stages) reads: one missing means a stale cache hit, one extra a needless rerun.
 * The local plugin tools/nx/stage-targets.js derives them from the config schema; nothing lists them by hand.
 */
const root = join(__dirname, '..');
const readJson = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8'));
const nxJson = readJson('nx.json');
type Input = string | { env?: string; runtime?: string; externalDependencies?: string[] };
/** What the plugin gives Nx, asked in a plain Node process as Nx asks it (it loads the config with tsx). */
function pluginTargets(): Record<string, Record<string, { inputs: Input[] }>> {
  const script = `process.stdout.write(JSON.stringify(require('./tools/nx/stage-targets.js').stageTargets(process.cwd())))`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tools/nx/stage-targets.js failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
const computed = pluginTargets();

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
const TARGETS: Record<CachedStage, { pkg: string; project: string; target: string }> = {
  ingest: { pkg: 'packages/ingest', project: 'ingest', target: 'pipeline' },
  database: { pkg: 'packages/database', project: 'database', target: 'pipeline' },
  train: { pkg: 'packages/trainer', project: 'trainer', target: 'pipeline' },
  report: { pkg: 'packages/report', project: 'report', target: 'report' },
};
const targetInputs = (stage: CachedStage): Input[] => computed[TARGETS[stage].pkg][TARGETS[stage].target].inputs;
describe('Nx cache keys of the stages', () => {
  it.each(Object.keys(UPSTREAM) as CachedStage[])(
    'when hashing the %s stage, then its env inputs are exactly the settings it and its upstream stages read',
    (stage) => {
      const expected = SETTINGS.flatMap((s) => (s.env && stagesOfEnv(s.env).some((st) => UPSTREAM[stage].includes(st)) ? [s.env] : []));
      expect([...envOf(targetInputs(stage))].sort()).toEqual(expected.sort());
    },
  );

  it('when a setting names its stage, then its env variable lands in that stage and the ones downstream only', () => {
    expect(envOf(targetInputs('ingest')).has('REELRANK_DATASET')).toBe(true);
    expect(envOf(targetInputs('report')).has('REELRANK_DATASET')).toBe(true);
    expect(envOf(targetInputs('train')).has('REELRANK_TRAIN_FACTORS')).toBe(true);
    expect(envOf(targetInputs('train')).has('REELRANK_GATE_SEED')).toBe(true);
    expect(envOf(targetInputs('database')).has('REELRANK_TRAIN_FACTORS')).toBe(false);
    expect(envOf(targetInputs('report')).has('REELRANK_REPORT_ALLOW_NO_MODEL')).toBe(true);
    expect(envOf(targetInputs('train')).has('REELRANK_REPORT_ALLOW_NO_MODEL')).toBe(false);
    expect(envOf(targetInputs('train')).has('PORT')).toBe(false);
  });

  it('when nx.json and the stage packages are read, then no env input is written by hand: the plugin is the one source', () => {
    for (const inputs of Object.values(nxJson.namedInputs) as Input[][]) expect(inputs.filter((i) => typeof i === 'object' && i.env)).toEqual([]);
    for (const { pkg, target } of Object.values(TARGETS)) expect(readJson(`${pkg}/package.json`).nx.targets[target].inputs).toBeUndefined();
  });

  it("when Nx builds the project graph, then the train stage carries the plugin's inputs", () => {
    const shown = spawnSync('npx', ['nx', 'show', 'project', 'trainer', '--json'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout).targets.pipeline.inputs).toEqual(targetInputs('train'));
  });

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
