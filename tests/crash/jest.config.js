// Crash safety: each stage SIGKILLed at several points, then re-run; and the server refusing a
// truncated model on SIGHUP. Spawns real processes (node --import tsx <stage>/src/main.ts).
const preset = require('../../jest.preset.js')(__dirname);
module.exports = { ...preset, displayName: 'crash', testMatch: ['<rootDir>/*.spec.ts'] };
