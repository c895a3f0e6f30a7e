/**
 * The error a serving answer fails with: an HTTP-style status, a stable code, a message and the
 * fields at fault. The API's error middleware turns it into the JSON error body; the CLI prints its
 * message. Client mistakes are always 4xx.
 */

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function movieNotFound(movieIds: number[], field = 'movie_id'): ApiError {
  const list = movieIds.join(', ');
  return new ApiError(
    404,
    'movie_not_found',
    movieIds.length === 1 ? `Movie ${list} is not in the catalogue` : `Movies ${list} are not in the catalogue`,
    movieIds.map((id) => ({ field, message: `unknown movie_id ${id}` })),
  );
}
