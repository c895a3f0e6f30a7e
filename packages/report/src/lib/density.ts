import { countById, type RatingColumns } from './stats.js';

export interface DensityCell {
  /** Block of users (0 = most active) and of movies (0 = most rated). */
  userBlock: number;
  movieBlock: number;
  /** Share of the block's user-movie cells that hold a rating. */
  density: number;
}

/**
 * The rating matrix with users sorted by activity and movies by popularity, cut into
 * `userBlocks` x `movieBlocks` blocks: the density of each block (a picture of the sparsity).
 */
export function densityGrid(columns: RatingColumns, userBlocks = 30, movieBlocks = 60): DensityCell[] {
  const rank = (ids: Int32Array): Map<number, number> => {
    const sorted = [...countById(ids)].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    return new Map(sorted.map(([id], i) => [id, i]));
  };
  const userRank = rank(columns.userIds);
  const movieRank = rank(columns.movieIds);
  const ub = Math.min(userBlocks, userRank.size);
  const mb = Math.min(movieBlocks, movieRank.size);
  const hits = new Float64Array(ub * mb);
  const blockOf = (r: number, size: number, blocks: number) => Math.min(blocks - 1, Math.floor((r * blocks) / size));
  for (let r = 0; r < columns.userIds.length; r++) {
    const u = blockOf(userRank.get(columns.userIds[r])!, userRank.size, ub);
    const m = blockOf(movieRank.get(columns.movieIds[r])!, movieRank.size, mb);
    hits[u * mb + m]++;
  }
  const blockSize = (b: number, size: number, blocks: number) => Math.ceil(((b + 1) * size) / blocks) - Math.ceil((b * size) / blocks);
  const cells: DensityCell[] = [];
  for (let u = 0; u < ub; u++) {
    for (let m = 0; m < mb; m++) {
      const area = blockSize(u, userRank.size, ub) * blockSize(m, movieRank.size, mb);
      cells.push({ userBlock: u, movieBlock: m, density: area ? hits[u * mb + m] / area : 0 });
    }
  }
  return cells;
}
