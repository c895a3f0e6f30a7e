/** @reelrank/feedback/testing: the RatingsStore contract suite every implementation runs. */
export { type ContractStoreOptions, ratingsStoreContract, type StoreBacking } from './ratings-store-contract.js';
