import { sha256 } from '@reelrank/artifacts';
import type { OverlayMovie } from '@reelrank/feedback';

/**
 * The catalogue's overlay in a training (movies added or changed through the API, next to the posted
 * ratings): the added movies join the known movies, so their posted ratings train like any other; a
 * hidden movie trains too (it is only never served). The overlay's state enters the data hash, so a
 * change of it makes a new model version, as the train stage's Nx hash reruns on it.
 */
export interface CatalogueOverlaySummary {
  /** Overlay rows read, and the newest revision among them (the overlay's version). */
  count: number;
  newestRevision: number;
  /** Movies added through the API, and movies hidden. */
  added: number;
  hidden: number;
}

export function summarizeOverlay(rows: readonly OverlayMovie[]): CatalogueOverlaySummary | null {
  if (rows.length === 0) return null;
  return {
    count: rows.length,
    newestRevision: Math.max(...rows.map((r) => r.revision)),
    added: rows.filter((r) => r.created).length,
    hidden: rows.filter((r) => r.hidden).length,
  };
}

/** The catalogue's movie ids with the movies the overlay added. */
export function withAddedMovies(movieIds: ReadonlySet<number>, rows: readonly OverlayMovie[]): Set<number> {
  const known = new Set(movieIds);
  for (const row of rows) if (row.created) known.add(row.movieId);
  return known;
}

/** The data hash of a training that read this overlay (unchanged without one). */
export function dataHashWithOverlay(baseHash: string, rows: readonly OverlayMovie[]): string {
  if (rows.length === 0) return baseHash;
  const content = rows.map((r) => `${r.movieId} ${r.revision} ${r.created ? 1 : 0} ${r.hidden ? 1 : 0} ${JSON.stringify(r.fields)}`).join('\n');
  return sha256(`${baseHash}\ncatalogue ${sha256(content)}`);
}
