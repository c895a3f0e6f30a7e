import type { IRouter } from 'express';
import type { Recommender } from '@reelrank/serving';
import { isAdmin } from './admin-auth.js';
import type { FreshUsers } from './fresh-users.js';

/** Where a store is, for GET /ready (the location without a password). */
export interface StoreLocation {
  kind: 'postgres' | 'sqlite';
  location: string;
}

/**
 * GET /health (the process answers) and GET /ready (a model is loaded; to an admin also what it
 * runs and where its stores are).
 */
export function healthRoutes(
  router: IRouter,
  current: () => Recommender | undefined,
  options: {
    /** Its storeStatus() tells whether the ratings store is up. */
    fresh: FreshUsers;
    /** Which ratings store `fresh` writes to. */
    ratingsStore: StoreLocation;
    /** Where the catalogue is read from (absent: not reported). */
    catalogueSource?: StoreLocation;
  },
): void {
  const { fresh } = options;
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Anyone learns whether the server is ready; what it runs and where its stores are only an admin.
  router.get('/ready', async (req, res) => {
    const recommender = current();
    if (!recommender) {
      res.status(503).json({ status: 'loading', error: { status: 503, code: 'model_not_ready', message: 'No model is loaded yet' } });
      return;
    }
    if (!isAdmin(req, res)) {
      res.json({ status: 'ready' });
      return;
    }
    const m = recommender.manifest;
    res.json({
      status: 'ready',
      model: {
        dataset: m.dataset,
        version: m.version,
        created_at: m.createdAt,
        trained_at: m.createdAt,
        factors: m.factors,
        users: m.users,
        movies: m.movies,
        ranker: recommender.rankingKind,
        metrics: m.metrics ?? {},
      },
      catalogue: { movies: recommender.catalogueSize, ...options.catalogueSource },
      // Still ready while the store is down: reads are answered from memory, writes get 503.
      ratings_store: { ...options.ratingsStore, ...(await fresh.storeStatus()) },
    });
  });
}
