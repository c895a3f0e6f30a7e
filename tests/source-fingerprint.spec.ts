import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedMovieLensSource } from '@reelrank/ingest/testing';

/**
 * The ingest stage's Nx hash names the source by tools/fingerprint-source.mjs: every file of the
 * source folder by content. The tag genome's files are among them, so a changed genome reruns
 * ingest, and with it the database and train stages downstream.
 */
const root = join(__dirname, '..');
const fingerprint = (source: string) =>
  execFileSync(process.execPath, ['tools/fingerprint-source.mjs'], {
    cwd: root,
    env: { ...process.env, MOVIELENS_SOURCE: source },
    encoding: 'utf8',
  }).trim();

describe('the source fingerprint of the ingest stage hash', () => {
  it('when a genome relevance of the source changes, then the fingerprint changes; unchanged, it stays', async () => {
    const generated = await generatedMovieLensSource({ users: 30, movies: 40, ratings: 600, seed: 8, genomeTags: 4 });
    const source = join(mkdtempSync(join(tmpdir(), 'reelrank-genome-source-')), 'generated');
    cpSync(generated, source, { recursive: true });
    const before = fingerprint(source);
    expect(before).toMatch(/^source: .* [0-9a-f]{64}$/);
    expect(fingerprint(source)).toBe(before);
    const file = join(source, 'genome-scores.csv');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1].replace(/,[^,]*$/, ',0.99999');
    writeFileSync(file, lines.join('\n'));
    expect(fingerprint(source)).not.toBe(before);
  });
});
