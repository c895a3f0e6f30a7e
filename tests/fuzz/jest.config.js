// Hostile-input suite: property-based requests against every endpoint of the real app.
// FUZZ_RUNS sets the number of generated cases (default 300; `npm run test:fuzz` runs 10,000).
const preset = require('../../jest.preset.js')(__dirname);
module.exports = { ...preset, displayName: 'fuzz', testMatch: ['<rootDir>/*.spec.ts'] };
