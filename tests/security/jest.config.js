// Who may do what, against real API processes (apps/api/src/main.ts) on one SQLite ratings file:
// keys made with the CLI, visitor cookies (forged, tampered, expired), cross-origin writes, and a key
// revoked by another process refused within a second.
const preset = require('../../jest.preset.js')(__dirname);
module.exports = { ...preset, displayName: 'security', testMatch: ['<rootDir>/*.spec.ts'] };
