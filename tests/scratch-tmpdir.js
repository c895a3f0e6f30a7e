// Jest global setup/teardown of `npm test`: every temporary folder the run makes (specs, stage and API
// child processes, browsers) goes under one root that is removed at the end, so a run leaves nothing in
// the system's temporary folder. os.tmpdir() reads TMPDIR at each call, and the workers and their child
// processes inherit it. 0755: a folder inside may belong to another user (a PostgreSQL cluster's).
const { chmodSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const KEY = '__reelrankScratchTmpdir';

async function setup() {
  const scratch = mkdtempSync(join(tmpdir(), 'reelrank-test-'));
  chmodSync(scratch, 0o755);
  globalThis[KEY] = { scratch, previous: process.env.TMPDIR };
  process.env.TMPDIR = scratch;
}

async function teardown() {
  const state = globalThis[KEY];
  if (!state) return;
  if (state.previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = state.previous;
  rmSync(state.scratch, { recursive: true, force: true });
}

module.exports = { setup, teardown };
