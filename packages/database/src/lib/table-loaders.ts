import type Database from 'better-sqlite3';
import { formatCount, type ProgressReporter } from '@reelrank/artifacts';
import { parseRatingsFile } from '@reelrank/csv';
import { CsvFormatError } from './csv-stream.js';
import { BLOBS_SUPPORTED, RATING_BLOBS_META_KEY, RatingBlobWriter, rebuildRatingBlobs, sqliteBlobSink } from './rating-blobs.js';
import { checkRatingRange, FieldReader, parseGenomeScoreRow, parseGenomeTagRow, parseLinkRow, parseMovieRow, parseTagRow } from './row-parsers.js';

/** Inserts one parsed chunk of rows, inside the transaction the caller has open. */
export interface ChunkInserter {
  (rows: string[][], col: readonly number[], firstRow: number): void;
  /** Called once after the last chunk, inside the transaction; returns dataset_meta entries to record. */
  finish?(): Record<string, string>;
}

/** How one processed CSV becomes rows of one or more tables. */
export interface TableLoader {
  file: string;
  /** ratings.csv and movies.csv must exist; links.csv and tags.csv only when the source has them. */
  required: boolean;
  columns: readonly string[];
  prepare(sqlite: Database.Database): ChunkInserter;
  /**
   * Optional fast path that reads and inserts the whole file itself, inside the transaction the
   * caller has open (calling `commit()` every `batchSize` rows). Resolves with dataset_meta entries
   * and the row count, or with `declined` when the file must go through prepare() instead (nothing
   * was inserted then).
   */
  bulkLoad?(sqlite: Database.Database, file: string, options: BulkLoadOptions): Promise<BulkLoadResult>;
}

export interface BulkLoadOptions {
  batchSize: number;
  /** Commits the open transaction and begins the next one. */
  commit(): void;
  /** Progress of reading the file (rows parsed). */
  parseProgress: ProgressReporter;
  /** Progress of inserting (rows inserted); created on the first call, so call it once parsing is done. */
  insertProgress: () => ProgressReporter;
  log: (line: string) => void;
}

export type BulkLoadResult =
  | { declined: false; rows: number; meta: Record<string, string> }
  /** `malformed`: rows the fast parser could not read (0 when it rejected the file as a whole). */
  | { declined: true; malformed: number };

/**
 * The shared row loop: any failure (a bad field, a duplicate key) becomes a CsvFormatError that
 * names the file and row, so the stage's one-line error says where to look.
 */
function rowInserter(file: string, insertRow: (r: string[], col: readonly number[], row: number) => void): ChunkInserter {
  return (rows, col, firstRow) => {
    let i = 0;
    try {
      for (; i < rows.length; i += 1) insertRow(rows[i], col, firstRow + i);
    } catch (error) {
      if (error instanceof CsvFormatError) throw error;
      // Duck-typed: better-sqlite3's SqliteError may come from another realm (jest) and fail instanceof.
      const message = (error as { message?: unknown } | null)?.message;
      throw new CsvFormatError(file, firstRow + i, typeof message === 'string' ? message : String(error));
    }
  };
}

// Declarative: one TableLoader per file (alike by shape only); reading and inserting rows is FieldReader's and rowInserter's, once.
export const moviesLoader: TableLoader = {
  file: 'movies.csv',
  required: true,
  columns: ['movieId', 'title', 'year', 'genres'],
  prepare(sqlite) {
    const read = new FieldReader(this.file);
    const insertMovie = sqlite.prepare('INSERT INTO movies (movie_id, title, year, genres, title_search) VALUES (?, ?, ?, ?, ?)');
    const insertGenre = sqlite.prepare('INSERT OR IGNORE INTO movie_genres (genre, movie_id) VALUES (?, ?)');
    return rowInserter(this.file, (r, col, row) => {
      const m = parseMovieRow(read, r, col, row);
      insertMovie.run(m.movieId, m.title, m.year, m.genres.join('|'), m.titleSearch);
      for (const genre of m.genres) insertGenre.run(genre, m.movieId);
    });
  },
};

/** Rows per multi-row INSERT of ratings (4 parameters a row, far below SQLite's 32766 limit). */
export const RATINGS_PER_STATEMENT = 256;

/**
 * ratings.csv -> ratings (multi-row INSERTs: one statement call binds RATINGS_PER_STATEMENT rows
 * from one reused parameter array) and user_rating_blobs (one packed row per user, written as the
 * sorted rows stream by; rebuilt from the table at the end if the file was not sorted).
 */
export const ratingsLoader: TableLoader = {
  file: 'ratings.csv',
  required: true,
  columns: ['userId', 'movieId', 'rating', 'timestamp'],
  prepare(sqlite) {
    const file = this.file;
    const read = new FieldReader(file);
    const insert = ratingsInserter(sqlite, file);
    const { params } = insert;

    const chunk: ChunkInserter = (rows, col, firstRow) => {
      const B = RATINGS_PER_STATEMENT;
      let k = 0;
      for (let i = 0; i < rows.length; i += 1) {
        const r = rows[i];
        const row = firstRow + i;
        const user = read.int(r[col[0]], 'userId', row);
        const movie = read.int(r[col[1]], 'movieId', row);
        const rating = read.rating(r[col[2]], 'rating', row);
        const timestamp = read.int(r[col[3]], 'timestamp', row);
        params[4 * k] = user;
        params[4 * k + 1] = movie;
        params[4 * k + 2] = rating;
        params[4 * k + 3] = timestamp;
        insert.blobs?.add(user, movie, rating, timestamp);
        k += 1;
        if (k === B) {
          insert.runMany(row - B + 1);
          k = 0;
        }
      }
      // The chunk's tail, row by row (the next chunk starts a fresh statement).
      for (let j = 0; j < k; j += 1) insert.runOne(j, firstRow + rows.length - k + j);
    };
    chunk.finish = () => insert.finish();
    return chunk;
  },

  /**
   * The fast path for the ingest stage's own output: @reelrank/csv's parseRatingsFile reads the
   * file into typed-array columns (straight from bytes, about 3x faster than papaparse rows + Number()), then the columns go
   * through the same multi-row INSERT. A file that parser rejects or counts malformed rows in
   * (corruption, a hand-edited file, timestamps beyond Int32) is declined before inserting anything,
   * so the strict row-by-row path reports the first bad row by number (and the count found here).
   */
  async bulkLoad(sqlite, path, options) {
    const file = this.file;
    let parsed: Awaited<ReturnType<typeof parseRatingsFile>>;
    try {
      parsed = await parseRatingsFile(path, { onProgress: (rows) => options.parseProgress.update(rows) });
    } catch (error) {
      options.log(`[database] ${file}: fast parser declined (${(error as Error).message}); reading it row by row`);
      return { declined: true, malformed: 0 };
    }
    if (parsed.malformed > 0) {
      options.log(
        `[database] ${file}: ${parsed.malformed} of ${parsed.read} rows malformed for the fast parser ` +
          `(e.g. ${parsed.malformedExamples[0] ?? '?'}); reading it row by row to name the first bad one`,
      );
      return { declined: true, malformed: parsed.malformed };
    }
    const n = parsed.ratings.length;
    options.parseProgress.done(`${formatCount(n)} rows parsed`);
    const insertProgress = options.insertProgress();

    const { users, movies, ratings, timestamps } = parsed.ratings;
    const insert = ratingsInserter(sqlite, file);
    const { params, blobs } = insert;
    const B = RATINGS_PER_STATEMENT;
    const exact = (value: number) => {
      // Float32 -> the decimal ingest wrote (its formatRating): half stars are exact as they are.
      const half = value * 2;
      return half === Math.floor(half) ? value : Number(value.toPrecision(7));
    };
    let sinceCommit = 0;
    let k = 0;
    for (let i = 0; i < n; i += 1) {
      const user = users[i];
      const movie = movies[i];
      const rating = exact(ratings[i]);
      const timestamp = timestamps[i];
      checkRatingRange(file, rating, i + 1); // no malformed rows were skipped, so index i is data row i + 1
      params[4 * k] = user;
      params[4 * k + 1] = movie;
      params[4 * k + 2] = rating;
      params[4 * k + 3] = timestamp;
      blobs?.add(user, movie, rating, timestamp);
      k += 1;
      if (k === B) {
        insert.runMany(i - B + 2);
        k = 0;
        sinceCommit += B;
        if (sinceCommit >= options.batchSize) {
          options.commit();
          sinceCommit = 0;
        }
        insertProgress.update(i + 1);
      }
    }
    for (let j = 0; j < k; j += 1) insert.runOne(j, n - k + j + 1);
    return { declined: false, rows: n, meta: insert.finish() };
  },
};

/**
 * The ratings INSERTs shared by both paths: params[4k..4k+3] holds row k of the next multi-row
 * statement; runMany inserts all RATINGS_PER_STATEMENT of them, runOne just row k. Either names
 * the data row of a failure (a duplicate key: the failed multi-row statement inserted nothing, so
 * its rows are replayed one by one to find the bad one).
 */
function ratingsInserter(sqlite: Database.Database, file: string) {
  const B = RATINGS_PER_STATEMENT;
  const insertOne = sqlite.prepare('INSERT INTO ratings (user_id, movie_id, rating, timestamp) VALUES (?, ?, ?, ?)');
  const insertMany = sqlite.prepare(
    `INSERT INTO ratings (user_id, movie_id, rating, timestamp) VALUES ${Array<string>(B).fill('(?,?,?,?)').join(',')}`,
  );
  const blobs = BLOBS_SUPPORTED ? new RatingBlobWriter(sqliteBlobSink(sqlite)) : null;
  const params: number[] = Array<number>(4 * B).fill(0);
  const sqlError = (error: unknown, row: number) => {
    // Duck-typed: better-sqlite3's SqliteError may come from another realm (jest) and fail instanceof.
    const message = (error as { message?: unknown } | null)?.message;
    return new CsvFormatError(file, row, typeof message === 'string' ? message : String(error));
  };
  const runOne = (k: number, row: number) => {
    try {
      insertOne.run(params[4 * k], params[4 * k + 1], params[4 * k + 2], params[4 * k + 3]);
    } catch (error) {
      throw sqlError(error, row);
    }
  };
  /** Inserts params' B rows, the first of which is data row `firstRow`. */
  const runMany = (firstRow: number) => {
    try {
      insertMany.run(params);
    } catch (error) {
      for (let k = 0; k < B; k += 1) runOne(k, firstRow + k);
      throw sqlError(error, firstRow);
    }
  };
  const finish = (): Record<string, string> => {
    if (!blobs) return {};
    blobs.finish();
    const written = blobs.inOrder ? blobs : rebuildRatingBlobs(sqlite);
    return { [RATING_BLOBS_META_KEY]: String(written.total), 'count.users': String(written.users) };
  };
  return { params, blobs, runOne, runMany, finish };
}

export const linksLoader: TableLoader = {
  file: 'links.csv',
  required: false,
  columns: ['movieId', 'imdbId', 'tmdbId'],
  prepare(sqlite) {
    const read = new FieldReader(this.file);
    const insert = sqlite.prepare('INSERT INTO links (movie_id, imdb_id, tmdb_id) VALUES (?, ?, ?)');
    return rowInserter(this.file, (r, col, row) => {
      const l = parseLinkRow(read, r, col, row);
      insert.run(l.movieId, l.imdbId, l.tmdbId);
    });
  },
};

// Declarative: one TableLoader per file (alike by shape only); reading and inserting rows is FieldReader's and rowInserter's, once.
export const tagsLoader: TableLoader = {
  file: 'tags.csv',
  required: false,
  columns: ['userId', 'movieId', 'tag', 'timestamp'],
  prepare(sqlite) {
    const read = new FieldReader(this.file);
    const insert = sqlite.prepare('INSERT INTO tags (user_id, movie_id, tag, timestamp) VALUES (?, ?, ?, ?)');
    return rowInserter(this.file, (r, col, row) => {
      const t = parseTagRow(read, r, col, row);
      insert.run(t.userId, t.movieId, t.tag, t.timestamp);
    });
  },
};

export const genomeTagsLoader: TableLoader = {
  file: 'genome-tags.csv',
  required: false,
  columns: ['tagId', 'tag'],
  prepare(sqlite) {
    const read = new FieldReader(this.file);
    const insert = sqlite.prepare('INSERT INTO genome_tags (tag_id, tag) VALUES (?, ?)');
    return rowInserter(this.file, (r, col, row) => {
      const t = parseGenomeTagRow(read, r, col, row);
      insert.run(t.tagId, t.tag);
    });
  },
};

export const genomeScoresLoader: TableLoader = {
  file: 'genome-scores.csv',
  required: false,
  columns: ['movieId', 'tagId', 'relevance'],
  prepare(sqlite) {
    const read = new FieldReader(this.file);
    const insert = sqlite.prepare('INSERT INTO genome_scores (movie_id, tag_id, relevance) VALUES (?, ?, ?)');
    return rowInserter(this.file, (r, col, row) => {
      const s = parseGenomeScoreRow(read, r, col, row);
      insert.run(s.movieId, s.tagId, s.relevance);
    });
  },
};

/** In load order: movies first, so a partial database is never movie-less. */
export const TABLE_LOADERS: readonly TableLoader[] = [moviesLoader, linksLoader, ratingsLoader, tagsLoader, genomeTagsLoader, genomeScoresLoader];
