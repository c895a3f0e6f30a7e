// Nx plugin: a `typecheck` target for every project with its own tsconfig.json (packages/*, apps/*).
//
// `tsc -p <project>/tsconfig.json --noEmit` checks the project's sources and whatever they import
// from other packages, so `nx affected -t typecheck` checks what a change can break. `npm test` still
// type-checks the whole tree once (`npm run typecheck`, the root tsconfig.json).
const { dirname } = require('node:path');

const createNodes = [
  '{packages,apps}/*/tsconfig.json',
  async (files) =>
    files.map((file) => {
      const projectRoot = dirname(file);
      return [
        file,
        {
          projects: {
            [projectRoot]: {
              targets: {
                typecheck: {
                  command: `tsc -p ${projectRoot}/tsconfig.json --noEmit`,
                  cache: true,
                  inputs: ['default', '^default', { externalDependencies: ['typescript'] }],
                  outputs: [],
                },
              },
            },
          },
        },
      ];
    }),
];

module.exports = { createNodes };
