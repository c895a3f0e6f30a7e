// The child of signals-crash.spec.ts: writes taste signals to the SQLite ratings file at argv[2] one
// after another (a few concurrent at a time) and prints "ack <movieId>" the moment each put resolves.
import { openSqliteSignalsStore } from '@reelrank/feedback';

const store = openSqliteSignalsStore(process.argv[2]);
const CONCURRENT = 4;
let next = 1;

async function writer(): Promise<void> {
  for (;;) {
    const movieId = next++;
    await store.put({ userId: 7, movieId, kind: movieId % 3 === 0 ? 'not_interested' : movieId % 3 === 1 ? 'seen' : 'watchlist' });
    process.stdout.write(`ack ${movieId}\n`);
  }
}

for (let i = 0; i < CONCURRENT; i++) void writer();
