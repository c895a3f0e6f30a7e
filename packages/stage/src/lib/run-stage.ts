import { loadConfig, loadEnvConfig, type AppConfig } from '@reelrank/config';

export interface StageIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  exit: (code: number) => void;
}

const processIo: StageIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/**
 * The one way a stage's `main.ts` runs, so every stage behaves the same: load and validate the
 * config, run the stage, print its summary as one JSON line on stdout (with the wall seconds) and
 * exit 0; on any failure (a bad setting, missing input, a crash) print one line
 * `<stage> stage failed: <message>` on stderr, the stack only with REELRANK_VERBOSE=1, and exit 1.
 * Progress lines are the stage's own (on stderr, with rate and ETA).
 */
export async function runStage(
  stage: string,
  body: (config: AppConfig) => Promise<Record<string, unknown>>,
  options: { load?: () => AppConfig; io?: StageIo } = {},
): Promise<void> {
  const io = options.io ?? processIo;
  const started = performance.now();
  let verbose = false;
  try {
    verbose = loadEnvConfig().operations.verbose; // known even when the rest of the config is what fails
  } catch {
    // a bad env-only setting: loadConfig below reports it
  }
  try {
    const config = (options.load ?? loadConfig)();
    verbose = config.operations.verbose;
    const summary = await body(config);
    io.stdout(
      `${JSON.stringify({ stage, dataset: config.dataset.dataset, ...summary, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) })}\n`,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`${stage} stage failed: ${message.split('\n').join(' ')}\n`);
    if (verbose && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    io.exit(1);
  }
}
