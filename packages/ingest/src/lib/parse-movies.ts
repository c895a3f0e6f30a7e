import { basename } from 'node:path';
import { formatOfFile, parseId, detectEncoding, headerColumns, ParsedRows, streamRows, type ParsedFile } from '@reelrank/csv';

export interface Movie {
  movieId: number;
  /** As in the source (with its "(1995)" suffix), surrounding spaces trimmed. */
  title: string;
  year: number | null;
  genres: string[];
}

export type { ParsedFile };

/**
 * ml-100k's u.genre, in the order of u.item's 19 flag columns. A different list from the generator's
 * MOVIELENS_GENRES (synthetic-catalogue.ts: ml-20m's names, "Children", IMAX) on purpose: each is a data set's own.
 */
export const ML100K_GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

// "(1995)", "(1995-2000)", "(2007–)" at the very end, after trimming.
const YEAR_SUFFIX = /\((\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\)$/;

/** The release year from a trailing "(1995)" / "(1995-2000)" (first year), or null. */
export function parseYear(title: string): number | null {
  const match = YEAR_SUFFIX.exec(title.trim());
  if (!match) return null;
  const year = Number(match[1]);
  return year >= 1800 && year <= 2200 ? year : null;
}

/** "Action|Comedy" -> ["Action", "Comedy"]; "(no genres listed)" and "" -> []. */
export function parseGenres(text: string): string[] {
  return text
    .split('|')
    .map((genre) => genre.trim())
    .filter((genre) => genre !== '' && genre !== '(no genres listed)');
}

function movie(idText: string | undefined, titleText: string | undefined, genres: string[]): Movie | null {
  const movieId = parseId(idText);
  const title = titleText?.trim() ?? '';
  if (movieId === null || title === '') return null;
  return { movieId, title, year: parseYear(title), genres };
}

/** u.item: id|title|release date|video release date|IMDb URL|19 genre flags. */
export function parseUItemFields(fields: readonly string[]): Movie | null {
  if (fields.length !== 5 + ML100K_GENRES.length) return null;
  const genres: string[] = [];
  for (let g = 0; g < ML100K_GENRES.length; g += 1) {
    const flag = fields[5 + g].trim();
    if (flag !== '0' && flag !== '1') return null;
    if (flag === '1' && ML100K_GENRES[g] !== 'unknown') genres.push(ML100K_GENRES[g]);
  }
  return movie(fields[0], fields[1], genres);
}

/** movies.dat: MovieID::Title::Genres; a title holding "::" splits into extra fields, so rejoin them. */
export function parseMovieDatFields(fields: readonly string[]): Movie | null {
  if (fields.length < 3) return null;
  return movie(fields[0], fields.slice(1, -1).join('::'), parseGenres(fields[fields.length - 1]));
}

/**
 * Streams movies.csv (movieId,title,genres; quoted titles with commas, UTF-8), movies.dat
 * (MovieID::Title::Genres) or u.item (pipe separated, genre flags). The encoding is detected
 * (UTF-8 if valid, else latin-1), since ml-100k/ml-1m/ml-10m use latin-1 for accented titles.
 */
export async function parseMoviesFile(path: string): Promise<ParsedFile<Movie>> {
  const file = basename(path);
  const format = formatOfFile(file);
  const encoding = await detectEncoding(path);
  const parsedRows = new ParsedRows<Movie>(file);
  let columns: { movieId: number; title: number; genres: number; count: number } | null = null;
  const delimiter = format === 'csv' ? ',' : format === 'dat' ? '::' : '|';
  await streamRows(path, {
    delimiter,
    encoding,
    quoted: format === 'csv',
    onRow(fields, broken) {
      if (format === 'csv' && columns === null) {
        columns = headerColumns(fields, ['movieId', 'title', 'genres'], file);
        return;
      }
      let parsed: Movie | null = null;
      if (!broken) {
        if (columns) {
          parsed =
            fields.length === columns.count ? movie(fields[columns.movieId], fields[columns.title], parseGenres(fields[columns.genres])) : null;
        } else {
          parsed = format === 'dat' ? parseMovieDatFields(fields) : parseUItemFields(fields);
        }
      }
      parsedRows.add(parsed, fields, delimiter);
    },
  });
  const result = parsedRows.done();
  if (result.rows.length === 0) throw new Error(`${path}: no valid movies among ${result.read} rows (${result.malformed} malformed)`);
  return result;
}
