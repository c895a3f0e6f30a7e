// The ratings store's writer thread: owns the one writing connection of its process, so the fsync
// of every COMMIT (synchronous = FULL) blocks this thread, never the server's event loop. Messages
// that arrive while a group commits queue up and form the next group. Plain CommonJS (no TS loader
// in worker threads); the main side is sqlite-ratings-store.ts.
'use strict';

const { parentPort, workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');
const { groupWriter, openForWriting } = require('./group-writer.js');

const db = openForWriting(Database, workerData.path, workerData.busyTimeoutMs);
const write = groupWriter(db);
let queue = [];
let scheduled = false;

const reply = (id, outcome) =>
  parentPort.postMessage(
    outcome.ok
      ? { id, ok: true, value: outcome.value }
      : {
          id,
          ok: false,
          error: { message: String(outcome.error?.message ?? outcome.error), code: outcome.error?.code, quota: outcome.error?.quota },
        },
  );

function flush() {
  scheduled = false;
  const jobs = queue;
  queue = [];
  if (jobs.length === 0) return;
  let outcomes;
  try {
    outcomes = write(jobs);
  } catch (error) {
    for (const job of jobs) reply(job.id, { ok: false, error });
    return;
  }
  jobs.forEach((job, i) => reply(job.id, outcomes[i]));
}

parentPort.on('message', (message) => {
  if (message.kind === 'close') {
    flush();
    db.close();
    parentPort.close();
    return;
  }
  queue.push(message);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});
parentPort.postMessage({ ready: true });
