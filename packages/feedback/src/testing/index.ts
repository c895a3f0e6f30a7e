/** @reelrank/feedback/testing: the RatingsStore and KeyStore contract suites every implementation runs. */
export { type ContractStoreOptions, ratingsStoreContract, type StoreBacking } from './ratings-store-contract.js';
export { keyStoreContract, type KeyStoreBacking } from './key-store-contract.js';
