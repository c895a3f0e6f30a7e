import cluster from 'node:cluster';
import type { ArmKey } from './experiment-metrics.js';
import type { MetricsJson } from './metrics-json.js';
import type { ReloadResult } from './model-holder.js';
import { LIMIT_KINDS, type LimitKind } from './limit-kinds.js';

/**
 * What a cluster worker (src/main.ts run by src/cluster.ts) tells the primary over the IPC channel.
 * Outside cluster mode tellPrimary does nothing.
 */
export type WorkerMessage =
  /** The model is loaded and the worker accepts requests. */
  | { type: 'reelrank:ready'; url: string; version: string; rssBytes: number }
  /** Answer to a SIGHUP from the primary (one step of a rolling reload). */
  | { type: 'reelrank:reloaded'; ok: boolean; version: string | null; error?: string }
  /** POST /admin/reload swapped in a new model on this worker: the primary reloads the others. */
  | { type: 'reelrank:admin-reloaded'; version: string }
  /** A failed admin authentication from `client`: the primary passes it on to the other workers. */
  | AdminAuthFailed
  /** A new visitor identity given to `client`: the primary passes it on, so the mint budget is per address across the cluster. */
  | VisitorMinted
  /** A successful admin authentication from `client`: the other workers forget its failures and trust it. */
  | AdminAuthOk
  /** An identity spent some of a per-identity budget: the primary passes it on to the other workers. */
  | LimitSpent
  /** This worker wrote the catalogue's overlay: the primary passes it on, so the others read it now, not at their next poll. */
  | CatalogueChanged
  /** Cluster metrics and the online evaluation (cluster-metrics.ts). */
  | MetricsMessage;

/** Worker -> primary, and primary -> the other workers (each counts it in its failure limiter). */
export interface AdminAuthFailed {
  type: 'reelrank:admin-auth-failed';
  client: string;
}

/** Worker -> primary, and primary -> the other workers (each spends it from its own IdentityLimits). */
export interface LimitSpent {
  type: 'reelrank:limit-spent';
  kind: LimitKind;
  subject: string;
  cost: number;
}

export function isLimitSpent(value: unknown): value is LimitSpent {
  if (!isWorkerMessage(value) || value.type !== 'reelrank:limit-spent') return false;
  const m = value as Partial<LimitSpent>;
  return LIMIT_KINDS.includes(m.kind as LimitKind) && typeof m.subject === 'string' && typeof m.cost === 'number' && Number.isFinite(m.cost);
}

export interface CatalogueChanged {
  type: 'reelrank:catalogue-changed';
  revision: number;
}

export function isCatalogueChanged(value: unknown): value is CatalogueChanged {
  return isWorkerMessage(value) && value.type === 'reelrank:catalogue-changed' && Number.isSafeInteger((value as { revision?: unknown }).revision);
}

/** The messages the primary passes from one worker to all the others. */
export const isRelayed = (value: WorkerMessage): value is AdminAuthFailed | AdminAuthOk | LimitSpent | VisitorMinted | CatalogueChanged =>
  value.type === 'reelrank:catalogue-changed' ||
  value.type === 'reelrank:admin-auth-failed' ||
  value.type === 'reelrank:admin-auth-ok' ||
  value.type === 'reelrank:limit-spent' ||
  value.type === 'reelrank:visitor-minted';

export interface AdminAuthOk {
  type: 'reelrank:admin-auth-ok';
  client: string;
}

export function isAdminAuthOk(value: unknown): value is AdminAuthOk {
  return isWorkerMessage(value) && value.type === 'reelrank:admin-auth-ok' && typeof (value as { client?: unknown }).client === 'string';
}

export function isAdminAuthFailed(value: unknown): value is AdminAuthFailed {
  return isWorkerMessage(value) && value.type === 'reelrank:admin-auth-failed' && typeof (value as { client?: unknown }).client === 'string';
}

/** Worker -> primary, and primary -> the other workers (each spends it from its visitor mint budget). */
export interface VisitorMinted {
  type: 'reelrank:visitor-minted';
  client: string;
}

export function isVisitorMinted(value: unknown): value is VisitorMinted {
  return isWorkerMessage(value) && value.type === 'reelrank:visitor-minted' && typeof (value as { client?: unknown }).client === 'string';
}

export function tellPrimary(message: WorkerMessage): void {
  if (cluster.isWorker && process.send && process.connected) process.send(message);
}

/**
 * After a worker's reload (ModelHolder's onReloaded): one an admin asked for that changed the model
 * is announced, so the primary reloads the other workers; SIGHUP reloads are the primary's own.
 */
export function announceAdminReload(
  result: Pick<ReloadResult, 'source' | 'status' | 'version'>,
  tell: (message: WorkerMessage) => void = tellPrimary,
): void {
  if (result.source === 'admin' && result.status === 'reloaded') tell({ type: 'reelrank:admin-reloaded', version: result.version });
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    (value as { type: string }).type.startsWith('reelrank:')
  );
}

/** [userId, at, ...movieIds] and [userId, movieId, rating, at]. */
export type ShownRow = number[];
export type RatingRow = [number, number, number, number];
/** The same rows of an experiment arm, with the arm's key. */
export type ArmShownRow = [ArmKey, ShownRow];
export type ArmRatingRow = [ArmKey, RatingRow];

/** Cluster metrics and the online evaluation (cluster-metrics.ts): the primary sums the workers' metrics and evaluates their rows. */
export type MetricsMessage =
  | { type: 'reelrank:metrics-request'; id: number }
  | { type: 'reelrank:metrics-collect'; id: number }
  | { type: 'reelrank:metrics-part'; id: number; metrics: MetricsJson }
  | { type: 'reelrank:metrics-response'; id: number; metrics?: MetricsJson; error?: string }
  | { type: 'reelrank:online-eval'; shown: ShownRow[]; ratings: RatingRow[]; armShown?: ArmShownRow[]; armRatings?: ArmRatingRow[] };
