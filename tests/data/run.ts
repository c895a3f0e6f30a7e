// `npm run test:data`: the checks that need the real ml-latest-small (see movielens-data.ts for
// where it comes from). Without the data: one line naming both variables, exit 1. Extra arguments
// go to jest (e.g. `npm run test:data -- -t Star`).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { missingDataMessage, resolveMovieLensData } from './movielens-data';

const data = resolveMovieLensData();
if (!data) {
  process.stderr.write(`${missingDataMessage()}\n`);
  process.exit(1);
}
process.stderr.write(`test:data: ml-latest-small from ${data.from}: ${data.source}\n`);
const jest = require.resolve('jest/bin/jest');
const run = spawnSync(process.execPath, [jest, '--ci', '--config', join(__dirname, 'jest.config.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
