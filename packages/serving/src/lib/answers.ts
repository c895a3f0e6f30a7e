/**
 * The shapes of the answers, as plain types: the wire format of the API (snake_case fields). The
 * API's zod schemas describe and validate the same shapes and are checked against these types at
 * compile time (apps/api/src/lib/schemas.ts), so the two cannot drift apart.
 */

export interface Because {
  text: string;
  movie_ids: number[];
}

export interface MovieFields {
  movie_id: number;
  title: string;
  genres: string[];
  year: number | null;
}

export interface MovieRecommendation extends MovieFields {
  predicted_rating: number;
  because: Because;
}

export interface MovieDetails extends MovieFields {
  ratings_count: number;
  mean_rating: number | null;
  in_model: boolean;
  hidden: boolean;
}

export interface SimilarResponse {
  movie_id: number;
  similar: (MovieFields & { similarity: number })[];
}

export interface SearchResponse {
  total: number;
  movies: MovieFields[];
}
