import { MAX_ID, type PredictRequest, type RecommendationsRequest } from './schemas.js';

/**
 * Exact fast checks for the two hot routes' bodies: each accepts only what its zod schema accepts
 * and answers undefined for everything else, so zod decides (and words every error).
 */

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= MAX_ID;

/** {user_id, movie_id} with valid ids and nothing else, or undefined (zod then decides). */
export function fastPredict(body: unknown): PredictRequest | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  let keys = 0;
  for (const _key in b) keys++;
  return keys === 2 && isId(b.user_id) && isId(b.movie_id) ? { user_id: b.user_id, movie_id: b.movie_id } : undefined;
}

/** {user_id[, n_recommendations]} with valid values, or undefined (zod then decides). */
export function fastRecommendations(max: number): (body: unknown) => RecommendationsRequest | undefined {
  return (body) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    const b = body as Record<string, unknown>;
    let keys = 0;
    for (const _key in b) keys++;
    const n = b.n_recommendations;
    if (!isId(b.user_id)) return undefined;
    if (keys === 1) return { user_id: b.user_id, n_recommendations: 10 };
    if (keys === 2 && typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= max) return { user_id: b.user_id, n_recommendations: n };
    return undefined;
  };
}
