// Types of group-writer.js (plain CommonJS so the writer thread requires it without a TS loader).
import type Database from 'better-sqlite3';
import type { SignalJob } from './signal-writes.js';
import type { StoredSignal } from './taste-signals.js';
import type { PurgeSelector, RowToWrite, StoredRating, StoreVersion } from './ratings-store.js';

export type WriteJob =
  | { kind: 'put'; rows: RowToWrite[]; maxPerUser?: number }
  | { kind: 'forget'; userId: number }
  | { kind: 'forget-one'; userId: number; movieId: number }
  | ({ kind: 'purge' } & PurgeSelector)
  | SignalJob;
/** What a job resolves with: the stored ratings, a count, or the stored signal. */
export type WriteValue = StoredRating[] | number | StoredSignal;
export type WriteOutcome = { ok: true; value: WriteValue } | { ok: false; error: unknown };

export function openForWriting(database: typeof Database, path: string, busyTimeoutMs: number): Database.Database;
export function groupWriter(db: Database.Database): (jobs: WriteJob[]) => WriteOutcome[];
export function readVersion(db: Database.Database): StoreVersion;
