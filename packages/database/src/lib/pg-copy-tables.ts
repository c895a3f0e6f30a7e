import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createProgress, formatCount } from '@reelrank/artifacts';
import { CopyBinaryWriter } from './copy-binary.js';
import { CsvFormatError, streamCsv } from './csv-stream.js';
import { FieldReader, parseGenomeScoreRow, parseGenomeTagRow, parseLinkRow, parseMovieRow, parseTagRow } from './row-parsers.js';

/**
 * COPY of the small processed files (movies.csv -> movies + movie_genres, links.csv, tags.csv) into
 * the staging schema, row meanings from row-parsers.ts (the SQLite loader's). Rows are encoded as the
 * CSV streams by; streamCsv's handler is synchronous, so these COPYs do not wait for the socket to
 * drain: fine for these files (tags of ml-25m, the biggest, is 1M rows), while ratings.csv, 20M
 * rows, has its own loader with backpressure (pg-copy-ratings.ts).
 */

export interface CopyContext {
  client: pg.ClientBase;
  /** The staging schema the rows go into. */
  schema: string;
  log: (line: string) => void;
}

/**
 * Runs one `COPY <schema>.<table> (<columns>) FROM STDIN (FORMAT binary, FREEZE)` fed by `fill`;
 * resolves with the rows copied. FREEZE: the staging tables were created in this transaction, so
 * the rows can be written frozen (no hint-bit rewrite or anti-wraparound vacuum of 20M fresh rows
 * later). When `fill` throws, the COPY is aborted (CopyFail) and the error rethrown.
 */
export async function copyRows(
  ctx: CopyContext,
  table: string,
  columns: readonly string[],
  fill: (w: CopyBinaryWriter) => Promise<void> | void,
): Promise<number> {
  const stream = ctx.client.query(
    copyFrom(`COPY "${ctx.schema}"."${table}" (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN (FORMAT binary, FREEZE)`),
  );
  const w = new CopyBinaryWriter(stream);
  try {
    await fill(w);
  } catch (error) {
    // Abort the COPY and wait for the server's answer, so the connection is usable for the ROLLBACK.
    await new Promise<void>((resolve) => {
      stream.once('close', resolve);
      stream.once('error', () => resolve());
      stream.destroy();
    });
    throw error;
  }
  return w.end();
}

/** Encodes each streamed chunk's rows; a bad value (also an id beyond int4) names the file and data row. */
function encodeRows(file: string, encodeRow: (r: string[], col: readonly number[], row: number) => void) {
  return (rows: string[][], col: readonly number[], firstRow: number) => {
    let i = 0;
    try {
      for (; i < rows.length; i += 1) encodeRow(rows[i], col, firstRow + i);
    } catch (error) {
      if (error instanceof CsvFormatError) throw error;
      throw new CsvFormatError(file, firstRow + i, (error as Error).message);
    }
  };
}

/** movies.csv -> movies (streamed), then movie_genres (one row per distinct genre of a movie, like SQLite's INSERT OR IGNORE). */
export async function copyMovies(ctx: CopyContext, path: string): Promise<{ movies: number; movieGenres: number }> {
  const file = 'movies.csv';
  const read = new FieldReader(file);
  const genreRows: [string, number][] = [];
  const progress = createProgress({ label: `database ${file} copy`, unit: 'rows', write: ctx.log });
  const movies = await copyRows(ctx, 'movies', ['movie_id', 'title', 'year', 'genres', 'title_search'], async (w) => {
    await streamCsv(
      path,
      ['movieId', 'title', 'year', 'genres'],
      encodeRows(file, (r, col, row) => {
        const m = parseMovieRow(read, r, col, row);
        w.row(5).int4(m.movieId).text(m.title).int4OrNull(m.year).text(m.genres.join('|')).text(m.titleSearch);
        for (const genre of new Set(m.genres)) genreRows.push([genre, m.movieId]);
        progress.update(row);
      }),
    );
  });
  const movieGenres = await copyRows(ctx, 'movie_genres', ['genre', 'movie_id'], (w) => {
    for (const [genre, movieId] of genreRows) w.row(2).text(genre).int4(movieId);
  });
  progress.done(`${formatCount(movies)} movies, ${formatCount(movieGenres)} movie genres copied`);
  return { movies, movieGenres };
}

export async function copyLinks(ctx: CopyContext, path: string): Promise<number> {
  const file = 'links.csv';
  const read = new FieldReader(file);
  const progress = createProgress({ label: `database ${file} copy`, unit: 'rows', write: ctx.log });
  const rows = await copyRows(ctx, 'links', ['movie_id', 'imdb_id', 'tmdb_id'], async (w) => {
    await streamCsv(
      path,
      ['movieId', 'imdbId', 'tmdbId'],
      encodeRows(file, (r, col, row) => {
        const l = parseLinkRow(read, r, col, row);
        w.row(3).int4(l.movieId).textOrNull(l.imdbId).int4OrNull(l.tmdbId);
        progress.update(row);
      }),
    );
  });
  progress.done(`${formatCount(rows)} rows copied`);
  return rows;
}

export async function copyTags(ctx: CopyContext, path: string): Promise<number> {
  const file = 'tags.csv';
  const read = new FieldReader(file);
  const progress = createProgress({ label: `database ${file} copy`, unit: 'rows', write: ctx.log });
  const rows = await copyRows(ctx, 'tags', ['user_id', 'movie_id', 'tag', 'timestamp'], async (w) => {
    await streamCsv(
      path,
      ['userId', 'movieId', 'tag', 'timestamp'],
      encodeRows(file, (r, col, row) => {
        const t = parseTagRow(read, r, col, row);
        w.row(4).int4(t.userId).int4(t.movieId).text(t.tag).int8(t.timestamp);
        progress.update(row);
      }),
    );
  });
  progress.done(`${formatCount(rows)} rows copied`);
  return rows;
}

export async function copyGenomeTags(ctx: CopyContext, path: string): Promise<number> {
  const file = 'genome-tags.csv';
  const read = new FieldReader(file);
  return copyRows(ctx, 'genome_tags', ['tag_id', 'tag'], async (w) => {
    await streamCsv(
      path,
      ['tagId', 'tag'],
      encodeRows(file, (r, col, row) => {
        const t = parseGenomeTagRow(read, r, col, row);
        w.row(2).int4(t.tagId).text(t.tag);
      }),
    );
  });
}

/**
 * genome-scores.csv (11.7M rows in ml-20m): parsed into typed-array chunks first (12 bytes a row),
 * then copied chunk by chunk waiting for the socket to drain, so the COPY buffer stays small.
 */
export async function copyGenomeScores(ctx: CopyContext, path: string): Promise<number> {
  const file = 'genome-scores.csv';
  const read = new FieldReader(file);
  const chunks: Array<{ movies: Int32Array; tags: Int32Array; relevance: Float32Array }> = [];
  await streamCsv(path, ['movieId', 'tagId', 'relevance'], (rows, col, firstRow) => {
    const chunk = { movies: new Int32Array(rows.length), tags: new Int32Array(rows.length), relevance: new Float32Array(rows.length) };
    encodeRows(file, (r, c, row) => {
      const s = parseGenomeScoreRow(read, r, c, row);
      const i = row - firstRow;
      chunk.movies[i] = s.movieId;
      chunk.tags[i] = s.tagId;
      chunk.relevance[i] = s.relevance;
    })(rows, col, firstRow);
    chunks.push(chunk);
  });
  const progress = createProgress({ label: `database ${file} copy`, unit: 'rows', write: ctx.log });
  let done = 0;
  const rows = await copyRows(ctx, 'genome_scores', ['movie_id', 'tag_id', 'relevance'], async (w) => {
    for (const { movies, tags, relevance } of chunks) {
      for (let i = 0; i < movies.length; i += 1) w.row(3).int4(movies[i]).int4(tags[i]).float4(relevance[i]);
      progress.update((done += movies.length));
      await w.drain();
    }
  });
  progress.done(`${formatCount(rows)} rows copied`);
  return rows;
}
