import type { Response } from 'express';
import type { StoredRating } from '@reelrank/feedback';
import type { Recommender } from '@reelrank/serving';
import type { ArmEvalSink, ArmMetrics } from './experiment-metrics.js';
import type { ArmChoice, ExperimentRunner } from './experiment-runner.js';
import { requestSeconds, type ServiceMetrics } from './metrics.js';
import type { OnlineEvalSink } from './online-eval.js';

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

/** The observer of an app: answers and ratings counted in `metrics`, logged for the online evaluation, and per arm during an experiment. */
export function answerObserver(parts: {
  metrics: ServiceMetrics;
  online: OnlineEvalSink;
  armMetrics: ArmMetrics;
  armOnline: ArmEvalSink;
  experiments?: ExperimentRunner;
  current: () => Recommender | undefined;
}): AnswerObserver {
  const { metrics, online, armMetrics, armOnline, experiments, current } = parts;
  return {
    recommendations: (userId, strategy, movies, choice) => {
      metrics.countAnswer(strategy);
      const ids = movies.map((m) => m.movie_id);
      online.recordRecommended(userId, ids);
      if (choice) armOnline.recordRecommended(choice, userId, ids);
    },
    armAnswered: (choice, res, foldedIn) => armMetrics.answered(choice, requestSeconds(res), foldedIn),
    answer: (strategy) => metrics.countAnswer(strategy),
    predictedFolded: () => metrics.foldInsServed.inc(),
    ratingsStored: (ratings) => {
      metrics.ratingsReceived.inc(ratings.length);
      // The rating's own time (the server's clock unless the client gave one), never later than now:
      // a rating stamped before a recommendation was not an answer to it.
      const now = Date.now();
      for (const r of ratings) online.observeRating(r.userId, r.movieId, r.rating, Math.min(now, r.timestamp * 1000));
      // During an experiment, each rating also counts for its user's arm.
      const active = experiments?.active;
      const live = current();
      if (active && live)
        for (const r of ratings)
          armOnline.observeRating(active.choose(r.userId, live), r.userId, r.movieId, r.rating, Math.min(now, r.timestamp * 1000));
    },
  };
}
