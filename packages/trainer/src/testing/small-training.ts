import { loadConfig, type TrainingConfig } from '@reelrank/config';

/**
 * The committed training settings (the ranker, neighbourhood, content map and gate as configured, no env
 * overrides) with a small, quick rating model for planted data: what the specs of a whole training run start
 * from, with their own `overrides`.
 */
export function smallTraining(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return {
    ...loadConfig({ env: {} }).training,
    seed: 42,
    ratingModel: 'auto',
    factors: 4,
    maxEpochs: 60,
    learningRate: 0.03,
    learningRateDecay: 0.99,
    regularization: 0.01,
    biasRegularization: 0.005,
    initStd: 0.1,
    patience: 5,
    validationFraction: 0.1,
    testFraction: 0.1,
    refitOnAll: true,
    popularityMinRatings: 5,
    popularityPriorWeight: 10,
    rankingK: 5,
    ...overrides,
  };
}
