import { runCli } from '@reelrank/cli';

/** `reelrank <argv>` in this process with `env` as its whole environment: its stdout; a non-zero exit throws with its stderr. */
export async function cliOutput(env: NodeJS.ProcessEnv, ...argv: string[]): Promise<string> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env });
  if (code !== 0) throw new Error(`reelrank ${argv.join(' ')} exited ${code}: ${err}`);
  return out;
}
