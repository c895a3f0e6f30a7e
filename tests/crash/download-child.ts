// Child process of crash.spec.ts: downloads argv[2] to argv[3] with the ingest stage's real
// downloader (resume with Range, verify size and sha256 argv[4], rename into place), prints JSON.
import { downloadFile } from '@reelrank/ingest';

async function main(): Promise<void> {
  const [url, dest, sha256, bytes] = process.argv.slice(2);
  const result = await downloadFile({
    url,
    dest,
    sha256,
    expectedBytes: Number(bytes),
    retries: 0,
    idleTimeoutMs: 5000,
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`download failed: ${(error as Error).message}\n`);
  process.exit(1);
});
