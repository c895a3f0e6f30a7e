// Shared jest settings: TypeScript through ts-jest (transpile only; `npm run typecheck`
// type-checks the whole tree once), and workspace packages resolved to their sources.
const path = require('node:path');

/** @param {string} dir absolute folder of the package @returns {import('jest').Config} */
module.exports = function preset(dir) {
  const root = path.resolve(__dirname);
  return {
    displayName: path.basename(dir),
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.spec.ts'],
    testPathIgnorePatterns: ['/node_modules/'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.base.json'), diagnostics: false }],
    },
    moduleNameMapper: {
      '^@reelrank/([a-z-]+)/testing$': path.join(root, 'packages/$1/src/testing/index.ts'),
      '^@reelrank/(api|cli|web)$': path.join(root, 'apps/$1/src/index.ts'),
      '^@reelrank/([a-z-]+)$': path.join(root, 'packages/$1/src/index.ts'),
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
  };
};
