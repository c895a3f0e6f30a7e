/** @reelrank/feedback/testing: the RatingsStore and KeyStore contract suites every implementation runs, and a handle on the SQLite store's writer thread. */
export { type ContractStoreOptions, ratingsStoreContract, type StoreBacking } from './ratings-store-contract.js';
export { keyStoreContract, type KeyStoreBacking } from './key-store-contract.js';
export { crashWriterThread, writerThreadOf } from './writer-thread-of.js';
export { signalsStoreContract, type SignalsBacking } from './signals-store-contract.js';
export { catalogueOverlayContract, type OverlayBacking } from './catalogue-overlay-contract.js';
export { experimentStoreContract, type ExperimentStoreBacking } from './experiment-store-contract.js';
