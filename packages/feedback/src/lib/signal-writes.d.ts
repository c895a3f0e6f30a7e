// Types of signal-writes.js (plain CommonJS so the writer thread requires it without a TS loader).
import type Database from 'better-sqlite3';
import type { SignalKind, SignalToWrite, StoredSignal } from './taste-signals.js';

export type SignalJob =
  { kind: 'signal-put'; row: SignalToWrite; maxPerUser?: number } | { kind: 'signal-forget'; userId: number; movieId: number; signal: SignalKind };

export function signalWrites(db: Database.Database): (job: SignalJob) => StoredSignal | number;
