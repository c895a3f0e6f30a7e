import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type TrainingConfig } from '@reelrank/config';
import { listModelVersions, loadModelArtifacts, readLiveVersion, readTrainingRuns, setLiveVersion } from '@reelrank/model';
import { plantedData } from '../testing/planted-data.js';
import { inGateHoldout, splitGateHoldout } from './gate-holdout.js';
import { sawOtherHoldout } from './gate-run.js';
import { decidePromotion } from './promotion-gate.js';
import { concatColumns } from './ratings.js';
import { runTraining } from './run-training.js';

const committed = loadConfig({ env: {} }).training;
const training: TrainingConfig = {
  ...committed,
  ratingModel: 'mf',
  factors: 4,
  maxEpochs: 40,
  learningRate: 0.03,
  learningRateDecay: 0.99,
  regularization: 0.01,
  patience: 4,
  rankingK: 5,
  popularityMinRatings: 3,
  gate: { ...committed.gate, holdoutShare: 0.1 },
};

describe('the gate holdout', () => {
  const planted = plantedData({ nUsers: 200, nMovies: 80, seed: 5 });
  const all = concatColumns(planted.observed, planted.heldOut);

  it('when ratings are split, then about the configured share is held out, by the pair alone', () => {
    const { rest, holdout } = splitGateHoldout(all, { holdoutShare: 0.1, seed: 7 });
    expect(rest.ratings.length + holdout.ratings.length).toBe(all.ratings.length);
    expect(holdout.ratings.length / all.ratings.length).toBeGreaterThan(0.08);
    expect(holdout.ratings.length / all.ratings.length).toBeLessThan(0.12);
    for (let r = 0; r < holdout.ratings.length; r++)
      expect(inGateHoldout({ holdoutShare: 0.1, seed: 7 }, holdout.userIds[r], holdout.movieIds[r])).toBe(true);
    // A pair's membership does not depend on the rest of the data: the observed part alone holds the same pairs out.
    const observedHeld = splitGateHoldout(planted.observed, { holdoutShare: 0.1, seed: 7 }).holdout;
    for (let r = 0; r < observedHeld.ratings.length; r++)
      expect(inGateHoldout({ holdoutShare: 0.1, seed: 7 }, observedHeld.userIds[r], observedHeld.movieIds[r])).toBe(true);
    // Another seed holds out other pairs; share 0 none.
    const other = splitGateHoldout(all, { holdoutShare: 0.1, seed: 8 }).holdout;
    expect(other.userIds).not.toEqual(holdout.userIds);
    expect(splitGateHoldout(all, { holdoutShare: 0, seed: 7 }).holdout.ratings.length).toBe(0);
  });
});

describe('decidePromotion', () => {
  const eps = { rmseEpsilon: 0.01, ndcgEpsilon: 0.02, holdoutShare: 0.02 };
  const figures = (rmse: number | null, ndcgAtK: number | null) => ({ k: 10, rmse, ndcgAtK, rows: 100, users: 40 });
  const live = { ...figures(0.9, 0.3), version: 'mf-live' };

  it('when the candidate is within both epsilons, then it is promoted', () => {
    expect(decidePromotion(figures(0.909, 0.281), live, eps).decision).toBe('promoted');
  });

  it('when the candidate is worse than an epsilon on either figure, then it is rejected with the figures in the reason', () => {
    expect(decidePromotion(figures(0.911, 0.35), live, eps)).toEqual({
      decision: 'rejected',
      reason: 'holdout RMSE 0.9110 > live 0.9000 + 0.01 (live mf-live)',
    });
    expect(decidePromotion(figures(0.85, 0.279), live, eps).reason).toBe('holdout NDCG@10 0.2790 < live 0.3000 - 0.02 (live mf-live)');
    expect(decidePromotion(figures(null, 0.3), live, eps).decision).toBe('rejected');
  });

  it('when there is no live model or no holdout, then the candidate is promoted and says why', () => {
    expect(decidePromotion(figures(2, 0), null, eps)).toEqual({ decision: 'promoted', reason: 'no live model to compare with' });
    expect(decidePromotion(figures(2, 0), live, { ...eps, holdoutShare: 0 }).reason).toMatch(/no gate/);
  });
});

describe('the promotion gate in a training', () => {
  const planted = plantedData({ nUsers: 120, nMovies: 60, seed: 9 });
  const more = concatColumns(planted.observed, planted.heldOut);
  let dir: string;
  const config = (hyper: TrainingConfig) => ({
    training: hyper,
    dataset: { dataset: 'synthetic' as const, source: null, sampleSize: 100 },
    paths: { modelDir: dir, registryDir: `${dir}-versions`, dbPath: '/nonexistent.db' } as never,
    storage: { keepModelVersions: 5 },
  });
  const quiet = () => undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'trainer-gate-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-versions`, { recursive: true, force: true });
  });

  it('when a broken candidate (1 epoch, learning rate 0) is trained, then it is rejected, kept as rejected, and the live model keeps serving; a better one is then promoted', async () => {
    const registryDir = `${dir}-versions`;
    const first = await runTraining(config(training), { ratings: planted.observed, log: quiet, scorer: 'typed-array' });
    expect(first.gate).toMatchObject({ decision: 'promoted', live: null });
    expect(readLiveVersion(registryDir)).toBe(first.manifest.version);

    const lines: string[] = [];
    const broken = await runTraining(config({ ...training, maxEpochs: 1, learningRate: 0 }), {
      ratings: more,
      log: (line) => lines.push(line),
      scorer: 'typed-array',
      implicit: false,
    });
    expect(broken.gate.decision).toBe('rejected');
    expect(broken.gate.reason).toMatch(
      new RegExp(`holdout RMSE \\d\\.\\d{4} > live \\d\\.\\d{4} \\+ 0\\.01\\b.*\\(live ${first.manifest.version}\\)`),
    );
    // Both were scored now, on the same holdout rows.
    expect(broken.gate.live).toMatchObject({ version: first.manifest.version, rows: broken.gate.candidate.rows });
    expect(broken.gate.candidate.rmse!).toBeGreaterThan(broken.gate.live!.rmse! + 0.01);
    expect(lines.some((l) => l.startsWith('[train] gate: rejected'))).toBe(true);
    expect(readLiveVersion(registryDir)).toBe(first.manifest.version);
    const versions = listModelVersions(registryDir);
    expect(versions.find((v) => v.version === broken.manifest.version)).toMatchObject({
      status: 'rejected',
      live: false,
      gate: { decision: 'rejected' },
    });
    expect(versions.find((v) => v.version === first.manifest.version)).toMatchObject({ status: 'live', live: true });
    // The manifest saved in models/<dataset>/ carries the verdict, so a publish step leaves it out of live too.
    expect(loadModelArtifacts(dir).manifest.gate?.decision).toBe('rejected');

    const better = await runTraining(config(training), { ratings: more, log: quiet, scorer: 'typed-array' });
    expect(better.gate).toMatchObject({ decision: 'promoted', live: { version: first.manifest.version } });
    expect(better.gate.candidate.rmse!).toBeLessThanOrEqual(better.gate.live!.rmse! + 0.01);
    expect(readLiveVersion(registryDir)).toBe(better.manifest.version);

    // The history: every run, with its outcome, figures and settings.
    const runs = readTrainingRuns(registryDir);
    expect(runs.map((r) => [r.outcome, r.version])).toEqual([
      ['promoted', first.manifest.version],
      ['rejected', broken.manifest.version],
      ['promoted', better.manifest.version],
    ]);
    expect(runs[1]).toMatchObject({
      liveBefore: first.manifest.version,
      liveAfter: first.manifest.version,
      seed: training.seed,
      settings: { maxEpochs: 1, learningRate: 0 },
      gate: { decision: 'rejected' },
      postedRatings: 0,
      error: null,
      dataHash: broken.manifest.dataHash,
    });
    expect(runs[1].steps.total).toBeGreaterThan(0);
    expect(runs[1].steps.gate).toBeGreaterThan(0);

    // An operator may still make the rejected one live.
    setLiveVersion(registryDir, broken.manifest.version);
    expect(listModelVersions(registryDir).find((v) => v.version === broken.manifest.version)).toMatchObject({
      status: 'live',
      gate: { decision: 'rejected' },
    });

    // gate.maxUsers caps the users NDCG is computed on, the same sample for the candidate and the live model.
    const capped = await runTraining(config({ ...training, gate: { ...training.gate, maxUsers: 3 } }), {
      ratings: more,
      log: quiet,
      scorer: 'typed-array',
    });
    expect(better.gate.candidate.users).toBeGreaterThan(3);
    expect(capped.gate.candidate.users).toBe(3);
    expect(capped.gate.live).toMatchObject({ version: broken.manifest.version, users: 3 });
  }, 120_000);

  it('when a training fails, then the run is recorded as failed with its error', async () => {
    await expect(runTraining(config(training), { ratings: concatColumns(), log: quiet })).rejects.toThrow('No ratings to train on');
    const last = readTrainingRuns(`${dir}-versions`).at(-1)!;
    expect(last).toMatchObject({ outcome: 'failed', version: null, error: 'No ratings to train on', gate: null });
  });
});

describe('sawOtherHoldout', () => {
  const settings = { holdoutShare: 0.02, seed: 7 };
  it('when the live model was trained without a gate or with another holdout, then it is not comparable; with the same one it is', () => {
    expect(sawOtherHoldout(undefined, settings)).toMatch(/before the promotion gate/);
    expect(sawOtherHoldout({ holdoutShare: 0.05, seed: 7 }, settings)).toMatch(/another gate holdout \(share 0.05, seed 7\)/);
    expect(sawOtherHoldout({ holdoutShare: 0.02, seed: 8 }, settings)).toMatch(/seed 8/);
    expect(sawOtherHoldout({ holdoutShare: 0.02, seed: 7, rmseEpsilon: 0.5 }, settings)).toBeNull();
  });
});
