import type { CatalogueOverlayStore, OverlayMovie } from '@reelrank/feedback';

/**
 * The overlay store with every successful write announced (`announce(revision)`): a cluster worker
 * tells the primary, which tells the other workers to read the overlay at once. Reads pass through.
 */
export function announcingWrites(store: CatalogueOverlayStore, announce: (revision: number) => void): CatalogueOverlayStore {
  const announced = async (write: Promise<OverlayMovie>) => {
    const row = await write;
    announce(row.revision);
    return row;
  };
  return {
    add: (movie, firstFreeId, source) => announced(store.add(movie, firstFreeId, source)),
    change: (movieId, patch, source) => announced(store.change(movieId, patch, source)),
    all: () => store.all(),
    since: (revision) => store.since(revision),
    version: () => store.version(),
    ...(store.watch && { watch: store.watch.bind(store) }),
    close: () => store.close(),
  };
}
