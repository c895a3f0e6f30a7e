// `npm run test:data` only (never part of `npm test`): checks that need the real ml-latest-small,
// taken from MOVIELENS_SOURCE or REELRANK_SHARED_DIR (tests/data/movielens-data.ts). Run through
// tests/data/run.ts, which fails with one line when neither variable resolves to the data.
const preset = require('../../jest.preset.js')(__dirname);
module.exports = {
  ...preset,
  displayName: 'data',
  testMatch: ['<rootDir>/*.spec.ts'],
  testTimeout: 600000,
  // Temporary folders under one root removed at the end (tests/scratch-tmpdir.js).
  globalSetup: '<rootDir>/../scratch-setup.js',
  globalTeardown: '<rootDir>/../scratch-teardown.js',
};
