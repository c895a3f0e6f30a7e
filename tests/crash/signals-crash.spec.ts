import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteSignalsStore } from '@reelrank/feedback';

/**
 * Durability of the taste signals: a process writing signals to the SQLite ratings file (the store the
 * API's POST /signals answers 201 from, once `put` resolves) is SIGKILLed right after its 40th
 * acknowledged write, with more in flight; reopened, the file holds every acknowledged signal.
 */
describe('taste signals durability: SIGKILL mid-writes', () => {
  it('keeps every signal acknowledged before the kill', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-signals-crash-'));
    const path = join(dir, 'crash.ratings.db');
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'signals-writer-child.ts'), path], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const acked = new Set<number>();
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const match = /^ack (\d+)$/.exec(line);
          if (match) acked.add(Number(match[1]));
          if (acked.size >= 40 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
        }
      });
      expect(await exited).toBe('SIGKILL');
      expect(acked.size).toBeGreaterThanOrEqual(40);
      const store = openSqliteSignalsStore(path);
      try {
        const stored = new Set((await store.forUser(7)).map((s) => s.movieId));
        expect([...acked].filter((movieId) => !stored.has(movieId))).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
