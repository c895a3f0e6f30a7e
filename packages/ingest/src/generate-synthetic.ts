// Writes a seeded, MovieLens-shaped synthetic data set (ml-20m file formats) into a folder:
//   npx tsx packages/ingest/src/generate-synthetic.ts --out DIR [--ratings N --users N --movies N --seed S --factors K]
// Defaults: ml-20m's size (20,000,263 ratings, 138,493 users, 26,744 movies), seed 42, 8 factors.
// The folder can then be ingested with MOVIELENS_SOURCE=DIR (any dataset name), or let ingest
// generate it itself with REELRANK_DATASET=synthetic (sized by REELRANK_SYNTHETIC_*).
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { DEFAULT_SYNTHETIC_FACTORS, DEFAULT_SYNTHETIC_SEED, generateSyntheticMovieLens, ML20M_SHAPE } from './lib/synthetic.js';

const USAGE = `usage: npx tsx packages/ingest/src/generate-synthetic.ts --out DIR [options]
  --ratings N   ratings to write (default ${ML20M_SHAPE.ratings})
  --users N     users, ids 1..N, each with >= 20 ratings when ratings allow (default ${ML20M_SHAPE.users})
  --movies N    movies in movies.csv (default ${ML20M_SHAPE.movies})
  --seed S      seed; the same options give byte-identical files (default ${DEFAULT_SYNTHETIC_SEED})
  --factors K   rank of the planted structure (default ${DEFAULT_SYNTHETIC_FACTORS})`;

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d[\d_,]*$/.test(text) ? Number(text.replace(/[_,]/g, '')) : NaN;
  if (!Number.isSafeInteger(value)) throw new Error(`--${name} must be a non-negative integer (got "${text}")`);
  return value;
}

async function main(): Promise<void> {
  // Declarative: this tool's own flags for node:util parseArgs (alike other tools' tables by shape only).
  const { values } = parseArgs({
    options: {
      out: { type: 'string', short: 'o' },
      ratings: { type: 'string' },
      users: { type: 'string' },
      movies: { type: 'string' },
      seed: { type: 'string' },
      factors: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.out) throw new Error(`--out DIR is required\n${USAGE}`);
  const result = await generateSyntheticMovieLens({
    dir: resolve(values.out),
    ratings: integer('ratings', values.ratings),
    users: integer('users', values.users),
    movies: integer('movies', values.movies),
    seed: integer('seed', values.seed),
    factors: integer('factors', values.factors),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const { planted: _planted, ...summary } = result;
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`generate-synthetic failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
