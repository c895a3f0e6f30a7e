import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/**
 * The online evaluation across cluster workers, as real processes running the API app (__fixtures__/online-eval-cluster.ts):
 * a movie shown by one worker's POST /recommendations and rated through another's POST /ratings counts as recommended, because the
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
    const { shown, text } = JSON.parse(run.stdout.trim().split('\n').pop()!) as { shown: number[]; text: string };
    expect(shown).toHaveLength(2);
    expect(shown).not.toContain(40); // user 2 loves comedy: 40 is sci-fi, the "other" movie
    const value = (line: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(line))
          ?.split(' ')
          .pop(),
      );
    // Two movies shown by worker 1; the first rated 5 (a hit) and movie 40 (not shown) rated 2 through worker 2.
    expect(value('reelrank_online_ratings_total{source="recommended"}')).toBe(1);
    expect(value('reelrank_online_liked_ratings_total{source="recommended"}')).toBe(1);
    expect(value('reelrank_online_ratings_total{source="other"}')).toBe(1);
    expect(value('reelrank_online_liked_ratings_total{source="other"}')).toBe(0);
    expect(value('reelrank_online_hit_rate{source="recommended"}')).toBe(1);
    expect(value('reelrank_online_hit_rate{source="other"}')).toBe(0);
    expect(value('reelrank_online_tracked_pairs')).toBe(2);
    expect(value('reelrank_ratings_received_total')).toBe(2); // counted by worker 2, summed by the primary
    expect(value('reelrank_recommendation_answers_total{strategy="personalized"}')).toBe(1);
  }, 40_000);
});
