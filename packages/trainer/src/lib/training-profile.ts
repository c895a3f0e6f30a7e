import { buildDriftProfile, buildGenreIndex, idRanges, writeDriftProfile, type DriftProfile } from '@reelrank/model';
import type { RatingsColumns } from './ratings.js';

/**
 * The drift profile of a training run's ratings (the data set's merged with the posted ones): what
 * the API and the retrain watcher compare recent posted ratings with. One pass over the ratings,
 * before the split; it only reads the columns, so nothing the fit sees changes.
 */
export interface TrainingProfile {
  /** The profile but its model version, known once the weights are saved. */
  profile: Omit<DriftProfile, 'modelVersion'>;
  seconds: number;
}

export function profileTrainingData(
  all: RatingsColumns,
  dataSet: RatingsColumns,
  movies: readonly { movieId: number; genres: readonly string[] }[],
): TrainingProfile {
  const started = performance.now();
  const binning = { genreIndex: buildGenreIndex(movies), dataSetUsers: idRanges(dataSet.userIds) };
  const { modelVersion: _none, ...profile } = buildDriftProfile(all, binning, '');
  return { profile, seconds: (performance.now() - started) / 1000 };
}

/** drift-profile.json in the model folder, naming the model it describes (written atomically). */
export function saveTrainingProfile(modelDir: string, training: TrainingProfile, modelVersion: string): void {
  writeDriftProfile(modelDir, { ...training.profile, modelVersion });
}
