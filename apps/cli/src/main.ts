import { runCli } from './lib/cli.js';

/** `npx reelrank ...`: exit code 0 ok, 1 failure, 2 bad usage. */
export function main(argv: string[]): void {
  runCli(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`reelrank: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) main(process.argv.slice(2));
