import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/**
 * The online evaluation across cluster workers, as real processes (__fixtures__/online-eval-cluster.ts):
 * a movie shown by one worker and rated through another counts as recommended, because the
 * evaluator lives in the primary; and a scrape on either worker sees the primary's figures.
 */

const root = resolve(__dirname, '../../../..');

describe('cluster metrics: online evaluation across workers', () => {
  it('when worker 1 recommends and worker 2 receives the ratings, then the primary counts the hit as recommended', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../__fixtures__/online-eval-cluster.ts')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { text } = JSON.parse(run.stdout.trim().split('\n').pop()!) as { text: string };
    const value = (line: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(line))
          ?.split(' ')
          .pop(),
      );
    // Shown 100 and 200 by worker 1; rated 100 (5: a hit) and 300 (2: not shown) through worker 2.
    expect(value('reelrank_online_ratings_total{source="recommended"}')).toBe(1);
    expect(value('reelrank_online_liked_ratings_total{source="recommended"}')).toBe(1);
    expect(value('reelrank_online_ratings_total{source="other"}')).toBe(1);
    expect(value('reelrank_online_liked_ratings_total{source="other"}')).toBe(0);
    expect(value('reelrank_online_hit_rate{source="recommended"}')).toBe(1);
    expect(value('reelrank_online_hit_rate{source="other"}')).toBe(0);
    expect(value('reelrank_online_tracked_pairs')).toBe(2);
  }, 40_000);
});
