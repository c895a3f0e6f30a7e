import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { runStage, type StageIo } from './run-stage.js';

function capture(): StageIo & { out: string[]; err: string[]; codes: number[] } {
  const out: string[] = [];
  const err: string[] = [];
  const codes: number[] = [];
  return { out, err, codes, stdout: (t) => out.push(t), stderr: (t) => err.push(t), exit: (c) => codes.push(c) };
}

function root(): string {
  const dir = mkdtempSync(join(tmpdir(), 'run-stage-'));
  cpSync(join(__dirname, '../../../../config'), join(dir, 'config'), { recursive: true });
  return dir;
}

describe('runStage', () => {
  it('when the stage succeeds, then its summary is one JSON line with the stage, data set and seconds, and nothing exits 1', async () => {
    const io = capture();
    const dir = root();
    await runStage('ingest', async (config) => ({ rows: 3, root: config.root }), { io, load: () => loadConfig({ root: dir, env: {} }) });
    expect(io.codes).toEqual([]);
    expect(io.err).toEqual([]);
    expect(io.out).toHaveLength(1);
    const line = JSON.parse(io.out[0]);
    expect(line).toMatchObject({ stage: 'ingest', dataset: 'ml-latest-small', rows: 3, root: dir });
    expect(typeof line.seconds).toBe('number');
  });

  it('when the stage throws, then one line names the stage and the message (no stack) and it exits 1', async () => {
    const io = capture();
    const dir = root();
    await runStage(
      'train',
      async () => {
        throw new Error('No ratings to train on\nsecond line');
      },
      { io, load: () => loadConfig({ root: dir, env: {} }) },
    );
    expect(io.out).toEqual([]);
    expect(io.err).toEqual(['train stage failed: No ratings to train on second line\n']);
    expect(io.codes).toEqual([1]);
  });

  it('when REELRANK_VERBOSE=1, then the stack follows the line', async () => {
    const io = capture();
    const dir = root();
    await runStage(
      'database',
      async () => {
        throw new Error('boom');
      },
      { io, load: () => loadConfig({ root: dir, env: { REELRANK_VERBOSE: '1' } }) },
    );
    expect(io.err[0]).toBe('database stage failed: boom\n');
    expect(io.err[1]).toMatch(/^Error: boom\n\s+at /);
    expect(io.codes).toEqual([1]);
  });

  it('when the config is invalid, then the failure line names the setting and its env variable, and the stage never runs', async () => {
    const io = capture();
    const dir = root();
    let ran = false;
    await runStage(
      'train',
      async () => {
        ran = true;
        return {};
      },
      { io, load: () => loadConfig({ root: dir, env: { REELRANK_TRAIN_FACTORS: '-3' } }) },
    );
    expect(ran).toBe(false);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toMatch(/^train stage failed: Invalid configuration: .*config\/training\.json "factors" \(env REELRANK_TRAIN_FACTORS\)/);
    expect(io.codes).toEqual([1]);
  });
});
