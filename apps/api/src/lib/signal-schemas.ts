import { z } from 'zod';
import { SIGNAL_KINDS } from '@reelrank/feedback';
import { MAX_ID, movieId, userId } from './schemas.js';

/**
 * Schemas of the taste-signal routes (POST /signals, GET /users/{user_id}/signals, DELETE
 * /users/{user_id}/signals/{kind}/{movie_id}): they validate the requests and build their OpenAPI part.
 */

const kind = z.enum(SIGNAL_KINDS).meta({
  description:
    'not_interested: never recommended to the user again, and dropped from their positives in the next training; seen: watched (no rating ' +
    'needed), never recommended again, a positive implicit observation in the next training; watchlist: kept out of the recommendations, ' +
    'a weaker positive implicit observation',
  example: 'not_interested',
});

export const signalInput = z
  .object({ user_id: userId, movie_id: movieId, kind })
  .strict()
  .meta({ examples: [{ user_id: 1, movie_id: 2571, kind: 'not_interested' }] });

const storedSignal = z.object({
  id: z.number().int().positive().meta({ description: "The store's sequence number: a later write has a larger id", example: 42 }),
  user_id: userId,
  movie_id: movieId,
  kind,
  created_at: z.number().int().meta({ description: 'Unix seconds by the server clock', example: 1_767_225_600 }),
});

export const signalPostResponse = z.object({ signal: storedSignal.meta({ description: 'What was stored; durable when this answer is sent' }) });

export const userSignalsQuery = z.object({ kind: kind.optional().meta({ description: 'Only this kind (absent: all)' }) }).strict();

export const userSignalsResponse = z.object({
  user_id: userId,
  signals: z.array(storedSignal).meta({ description: 'Oldest first' }),
  counts: z.object(Object.fromEntries(SIGNAL_KINDS.map((k) => [k, z.number().int()])) as Record<(typeof SIGNAL_KINDS)[number], z.ZodNumber>),
});

export const userSignalParams = z
  .object({
    user_id: z.coerce.number().int().positive().max(MAX_ID).meta({ description: 'MovieLens user id', example: 1 }),
    kind,
    movie_id: z.coerce.number().int().positive().max(MAX_ID).meta({ description: 'MovieLens movie id', example: 2571 }),
  })
  .strict();

export const forgetSignalResponse = z.object({
  user_id: userId,
  movie_id: movieId,
  kind,
  forgotten: z.number().int().min(0).max(1).meta({ description: '1: the signal was deleted; 0: the user had none of this kind for the movie' }),
});
