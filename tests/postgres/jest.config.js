// `npm run test:postgres` only (never part of `npm test`, which needs nothing installed): the same
// RatingsStore contract as SQLite's, against a real PostgreSQL. global-setup.ts starts a throwaway
// cluster (tools/pg/throwaway.ts; Debian's package, installed when absent and allowed) and FAILS the
// run with the reason when it cannot; the tests never touch a server of DATABASE_URL's own.
const preset = require('../../jest.preset.js')(__dirname);
module.exports = {
  ...preset,
  displayName: 'postgres',
  testMatch: ['<rootDir>/*.spec.ts'],
  globalSetup: '<rootDir>/global-setup.ts',
  globalTeardown: '<rootDir>/global-teardown.ts',
  testTimeout: 60000,
};
