/**
 * The error a serving answer fails with, by what went wrong rather than how a transport reports it:
 * a kind, a stable code, a message and the fields at fault. The API maps each kind to its HTTP
 * status (apps/api errors.ts); the CLI prints the message.
 */

export interface FieldProblem {
  field: string;
  message: string;
}

/** `not-found`: a named thing (a movie) does not exist; `invalid-input`: a value the caller gave cannot be used. */
export type ServingErrorKind = 'not-found' | 'invalid-input';

export class ServingError extends Error {
  constructor(
    readonly kind: ServingErrorKind,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ServingError';
  }
}

export function movieNotFound(movieIds: number[], field = 'movie_id'): ServingError {
  const list = movieIds.join(', ');
  return new ServingError(
    'not-found',
    'movie_not_found',
    movieIds.length === 1 ? `Movie ${list} is not in the catalogue` : `Movies ${list} are not in the catalogue`,
    movieIds.map((id) => ({ field, message: `unknown movie_id ${id}` })),
  );
}
