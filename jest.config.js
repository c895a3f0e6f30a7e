// One jest run over every package; each package is a jest project, so
// `npx jest --selectProjects trainer` runs one package alone.
const { existsSync } = require('node:fs');

const projects = ['artifacts', 'random', 'config', 'stage', 'csv', 'ingest', 'database', 'feedback', 'model', 'serving', 'trainer', 'report']
  .map((name) => `packages/${name}`)
  .concat(['apps/api', 'apps/cli', 'apps/web', 'tests', 'tests/fuzz', 'tests/crash', 'tests/security'])
  .filter((dir) => existsSync(`${__dirname}/${dir}/jest.config.js`));

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 120000,
  globalSetup: '<rootDir>/tests/scratch-setup.js',
  globalTeardown: '<rootDir>/tests/scratch-teardown.js',
  projects: projects.map((dir) => require(`./${dir}/jest.config.js`)),
};
