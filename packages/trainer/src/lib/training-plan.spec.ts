import { loadConfig, type TrainingConfig } from '@reelrank/config';
import { initTensorFlow } from '@reelrank/model';
import { plantedData } from '../testing/planted-data.js';
import { evaluateOnSplit } from './evaluate-split.js';
import { planTraining } from './training-plan.js';
import { splitRows } from './split.js';

const committed: TrainingConfig = loadConfig({ env: {} }).training;

describe('planTraining', () => {
  const small = { ratings: 100_000, trainRatings: 90_000 };
  const large = { ratings: 20_000_000, trainRatings: 18_000_000 };

  it('when ratingModel is auto, then a small set gets SVD++ with the config settings and a large one plain MF with the autoMf settings', () => {
    const onSmall = planTraining(committed, small);
    expect(onSmall.rating).toMatchObject({ kind: 'svdpp', label: 'SVD++ (SGD)', settings: { factors: committed.factors } });
    expect(onSmall.rating.svdpp).not.toBeNull();
    expect(onSmall.rating.chosenBy).toContain('autoSvdppMaxRatings');
    expect(onSmall.ranking?.label).toBe('served ranking (SVD++ + implicit ALS + popularity + EASE)');

    const onLarge = planTraining(committed, large);
    expect(onLarge.rating).toMatchObject({ kind: 'mf', label: 'biased MF (SGD)', settings: committed.autoMf, svdpp: null });
    expect(onLarge.ranking?.label).toBe('served ranking (MF + implicit ALS + popularity)');
  });

  it('when the train part has at most ranker.ease.maxRatings ratings, then EASE is fitted over maxMovies with lambda and its weight grid is searched; above, not', () => {
    const { ease } = committed.ranker;
    const fits = planTraining(committed, small).ranking!;
    expect(fits.ease).toMatchObject({ kind: 'ease', fitted: true, settings: { lambda: ease.lambda, maxMovies: ease.maxMovies } });
    expect(fits.ease.chosenBy).toBe(`${small.trainRatings} train ratings <= ranker.ease.maxRatings ${ease.maxRatings}`);
    expect(fits.blend.ease).toEqual({ weightGrid: ease.weightGrid });

    const above = planTraining(committed, { ratings: ease.maxRatings + 10, trainRatings: ease.maxRatings + 1 }).ranking!;
    expect(above.ease).toMatchObject({ fitted: false, settings: null });
    expect(above.ease.chosenBy).toBe(`${ease.maxRatings + 1} train ratings > ranker.ease.maxRatings ${ease.maxRatings}`);
    expect(above.label).not.toContain('EASE');
    expect(above.blend.ease).toBeUndefined();
  });

  it('when the train part reaches ranker.largeSetSweeps.minRatings, then implicit ALS runs its sweeps; below, ranker.implicit.sweeps, and the plan says why', () => {
    const rule = committed.ranker.largeSetSweeps!;
    const below = planTraining(committed, { ratings: rule.minRatings, trainRatings: rule.minRatings - 1 }).ranking!.implicit;
    expect(below.settings).toEqual({ ...committed.ranker.implicit, seed: committed.seed });
    expect(below.chosenBy).toBe(`ranker.implicit.sweeps: ${rule.minRatings - 1} train ratings < ranker.largeSetSweeps.minRatings ${rule.minRatings}`);
    const at = planTraining(committed, { ratings: rule.minRatings + 1, trainRatings: rule.minRatings }).ranking!.implicit;
    expect(at.settings).toEqual({ ...committed.ranker.implicit, seed: committed.seed, sweeps: rule.sweeps });
    expect(at.fit).toBe(`${rule.sweeps} sweeps`);
    expect(at.chosenBy).toContain('ranker.largeSetSweeps');
    const unset = planTraining({ ...committed, ranker: { ...committed.ranker, largeSetSweeps: undefined } }, large).ranking!.implicit;
    expect(unset.settings.sweeps).toBe(committed.ranker.implicit.sweeps);
    const asked = planTraining(committed, large, { implicit: { ...committed.ranker.implicit, seed: 1, sweeps: 7 } }).ranking!.implicit;
    expect(asked).toMatchObject({ chosenBy: 'asked by the caller', settings: { sweeps: 7 } });
  });

  it('when the caller names EASE settings or leaves EASE out, then that wins over maxRatings', () => {
    const asked = planTraining(committed, large, { ease: { lambda: 10, maxMovies: 50 } }).ranking!;
    expect(asked.ease).toMatchObject({ fitted: true, settings: { lambda: 10, maxMovies: 50 }, chosenBy: 'asked by the caller' });
    expect(asked.label).toBe('served ranking (MF + implicit ALS + popularity + EASE)');
    const left = planTraining(committed, small, { ease: false }).ranking!;
    expect(left.ease).toMatchObject({ fitted: false, settings: null, chosenBy: 'left out by the caller' });
  });

  it('when the rating model is named (config or caller), then it is used with the plain config settings', () => {
    const named = planTraining({ ...committed, ratingModel: 'mf' }, large);
    expect(named.rating).toMatchObject({ kind: 'mf', chosenBy: 'ratingModel mf', settings: { factors: committed.factors } });
    const asked = planTraining(committed, small, { ratingModel: 'mf', implicit: false });
    expect(asked.rating).toMatchObject({ kind: 'mf', settings: { factors: committed.factors, maxEpochs: committed.maxEpochs } });
    expect(asked.ranking).toBeNull();
  });

  it('when refitOnAll is set, then the served models are refit on every rating up to refitMaxRatings and the validated ones above', () => {
    const refit = planTraining({ ...committed, refitOnAll: true, refitMaxRatings: 500_000 }, small);
    expect(refit.served).toMatchObject({ fittedOn: 'all', refitOnAll: true });
    expect(refit.evaluation).toEqual({ refitOnTrain: false, testModelFittedOn: 'fit' });
    const tooMany = planTraining({ ...committed, refitOnAll: true, refitMaxRatings: 50_000 }, small);
    expect(tooMany.served).toMatchObject({ fittedOn: 'fit', refitOnAll: false });
    expect(tooMany.served.reason).toContain('no refit');
    const off = planTraining({ ...committed, refitOnAll: false }, small);
    expect(off.served.fittedOn).toBe('train');
    expect(off.evaluation).toEqual({ refitOnTrain: true, testModelFittedOn: 'train' });
  });

  it('when the validation share of the train part stays within validationMaxRatings, then it is the share of every rating; above, the carve holds about the cap and the rest stay in the fit part', () => {
    const config = { ...committed, validationFraction: 0.1, testFraction: 0.1, validationMaxRatings: 2_000 };
    const share = 0.1 / 0.9;
    const within = planTraining(config, { ratings: 10_000, trainRatings: 9_000 }).validation;
    expect(within).toMatchObject({ fraction: share, share, maxRatings: 2_000 });
    expect(within.chosenBy).toBe('validationFraction: 1000 ratings <= validationMaxRatings 2000');
    expect(planTraining({ ...config, validationMaxRatings: null }, large).validation.fraction).toBe(share);

    const columns = plantedData({ nUsers: 400, nMovies: 120, seed: 5, observedShare: 0.9 }).observed;
    const capped = planTraining(config, { ratings: columns.ratings.length, trainRatings: columns.ratings.length }).validation;
    expect(share * columns.ratings.length).toBeGreaterThan(4_000);
    expect(capped.chosenBy).toContain('validationMaxRatings 2000');
    const carved = splitRows(columns, { seed: 7, validationFraction: capped.fraction, testFraction: 0 });
    expect(Math.abs(carved.validation.length - 2_000)).toBeLessThan(150);
    expect(carved.train.length).toBe(columns.ratings.length - carved.validation.length);
  });

  it('when evaluateOnSplit is given a plan, then it trains and labels exactly the planned rating model with the planned settings', async () => {
    await initTensorFlow();
    const planted = plantedData({ nUsers: 40, nMovies: 25, seed: 3 });
    const config = { ...committed, factors: 3, maxEpochs: 4, patience: 2, rankingK: 5 };
    const plan = planTraining(
      config,
      { ratings: planted.observed.ratings.length, trainRatings: planted.observed.ratings.length },
      {
        ratingModel: 'mf',
        implicit: false,
      },
    );
    const { report } = await evaluateOnSplit(planted.observed, planted.heldOut, config, { plan, scorer: 'typed-array' });
    expect(plan.rating.svdpp).toBeNull();
    expect(report.ratingModel).toBe('mf');
    expect(report.ratingHyperParameters).toEqual(plan.rating.settings);
    expect(report.models.map((m) => m.model)).toContain('biased MF (SGD)');
    expect(report.models.some((m) => m.model.startsWith('served ranking'))).toBe(false);
    expect(report.selection.epochsRun).toBeLessThanOrEqual(4);
  });
});
