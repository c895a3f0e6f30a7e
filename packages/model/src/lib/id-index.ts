/**
 * Raw MovieLens ids -> dense indices 0..n-1, ids sorted ascending (as MfModel requires); an id absent
 * from the set it was built from maps to -1. The trainer builds it from the TRAIN ratings (an unknown
 * id then falls back through the biases in `predictRating`); per-movie counts index arrays with it.
 */
export interface IdIndex {
  ids: Int32Array;
  /** Index of an id, or -1. */
  indexOf(id: number): number;
}

/** Largest id for which a dense lookup table is used instead of a Map. */
const DENSE_LIMIT = 1 << 24;

/** The distinct ids, ascending: a presence table when ids are small non-negative integers (20M ids in ~0.1 s), else a Set. */
function distinctSorted(rawIds: Int32Array): Int32Array {
  let min = 0;
  let max = -1;
  for (let r = 0; r < rawIds.length; r++) {
    if (rawIds[r] < min) min = rawIds[r];
    if (rawIds[r] > max) max = rawIds[r];
  }
  if (min < 0 || max >= DENSE_LIMIT) return Int32Array.from(new Set(rawIds)).sort();
  const seen = new Uint8Array(max + 1);
  let count = 0;
  for (let r = 0; r < rawIds.length; r++) {
    if (seen[rawIds[r]] === 0) count++;
    seen[rawIds[r]] = 1;
  }
  const ids = new Int32Array(count);
  for (let id = 0, o = 0; id <= max; id++) if (seen[id]) ids[o++] = id;
  return ids;
}

export function buildIdIndex(rawIds: Int32Array): IdIndex {
  const ids = distinctSorted(rawIds);
  const maxId = ids.length ? ids[ids.length - 1] : -1;
  if (ids.length && ids[0] >= 0 && maxId < DENSE_LIMIT) {
    const table = new Int32Array(maxId + 1).fill(-1);
    ids.forEach((id, index) => (table[id] = index));
    return { ids, indexOf: (id) => (id >= 0 && id <= maxId ? table[id] : -1) };
  }
  const map = new Map<number, number>();
  ids.forEach((id, index) => map.set(id, index));
  return { ids, indexOf: (id) => map.get(id) ?? -1 };
}
