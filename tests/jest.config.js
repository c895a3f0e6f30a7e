// End-to-end tests: the real stages on a slice of the shared MovieLens copy, then the real app.
const preset = require('../jest.preset.js')(__dirname);
module.exports = { ...preset, displayName: 'e2e', testMatch: ['<rootDir>/*.spec.ts'] };
