/** @reelrank/feedback/testing: the RatingsStore contract suite every implementation runs, and a handle on the SQLite store's writer thread. */
export { type ContractStoreOptions, ratingsStoreContract, type StoreBacking } from './ratings-store-contract.js';
export { crashWriterThread, writerThreadOf } from './writer-thread-of.js';
