import type { Response } from 'express';
import type { StoredRating } from '@reelrank/feedback';
import type { ArmChoice } from './experiment-runner.js';

/** Told about every recommendation answer and stored rating (metrics.ts counts them; online-eval.ts logs what was shown and rated). */
export interface AnswerObserver {
  recommendations(userId: number, strategy: string, movies: readonly { movie_id: number }[], choice?: ArmChoice): void;
  /** An answer served during an A/B experiment (experiment-metrics.ts counts it per arm, with its latency from the request's arrival). */
  armAnswered?(choice: ArmChoice, res: Response, foldedIn: boolean): void;
  answer(strategy: string): void;
  /** A /predict or /predict/batch answer computed from a folded-in user (the recommendation routes count theirs by strategy). */
  predictedFolded(): void;
  /** Ratings POST /ratings stored (durable): called before the 201 is sent. */
  ratingsStored(ratings: readonly StoredRating[]): void;
}
