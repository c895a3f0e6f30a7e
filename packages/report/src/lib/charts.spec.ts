import { syntheticActivity, syntheticReportInput } from '../testing/synthetic.js';
import { accessibleSvg, renderChart } from './render-svg.js';
import { buildSections } from './sections.js';
import { coldStartTakeaway, concentrationTakeaway, activityTakeaway, ratingTakeaway, timeTakeaway } from './takeaways.js';
import { longTail, ratingDistribution } from './stats.js';
import { coldStartShares } from './cold-start.js';

/** Titles of every positional (x / y) encoding that draws an axis, through layers and concats. */
function axisTitles(spec: unknown, out: string[] = []): string[] {
  if (Array.isArray(spec)) spec.forEach((s) => axisTitles(s, out));
  else if (spec && typeof spec === 'object') {
    const s = spec as Record<string, unknown>;
    const encoding = s.encoding as Record<string, { title?: string; field?: string; axis?: unknown }> | undefined;
    for (const channel of ['x', 'y']) {
      const def = encoding?.[channel];
      if (def?.field) {
        expect(typeof def.title).toBe('string');
        out.push(def.title!);
      }
    }
    for (const key of ['layer', 'hconcat', 'vconcat']) if (s[key]) axisTitles(s[key], out);
  }
  return out;
}

const decode = (svg: string) =>
  svg
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

describe('charts', () => {
  const { sections } = buildSections(syntheticReportInput());
  const charts = sections.flatMap((s) => s.charts);

  it('when building the report, then every expected chart is there with a takeaway', () => {
    expect(charts.map((c) => c.id)).toEqual([
      'rating-distribution',
      'ratings-per-user',
      'ratings-per-movie',
      'concentration',
      'density',
      'genres',
      'over-time',
      'cold-start',
      'error-by-activity',
      'training-curve',
      'diversity',
    ]);
    for (const chart of charts) expect(chart.takeaway.length).toBeGreaterThan(20);
  });

  it.each(charts.map((c) => [c.id, c] as const))(
    'when rendering %s, then the SVG is non-empty, titled and shows its axis titles',
    async (_id, chart) => {
      const rendered = await renderChart(chart);
      expect(rendered.svg.startsWith('<svg')).toBe(true);
      expect(rendered.svg).toMatch(/<path|<line|<rect/);
      expect(rendered.svg).toContain(`role="img"`);
      expect(rendered.svg).toContain(`<title id="${chart.id}-title">`);
      expect(rendered.svg).not.toMatch(/https?:\/\//);
      const titles = axisTitles(chart.spec);
      expect(titles.length).toBeGreaterThanOrEqual(2);
      for (const title of titles) expect(decode(rendered.svg)).toContain(title);
    },
  );

  it('when the long-tailed axes are declared, then they use log scales', () => {
    const byId = new Map(charts.map((c) => [c.id, JSON.stringify(c.spec)]));
    expect(byId.get('ratings-per-user')).toContain('"type":"log"');
    expect(byId.get('ratings-per-movie')).toContain('"type":"log"');
    expect(byId.get('density')).toContain('"type":"log"');
  });

  it('when an SVG is made accessible, then namespace URLs go and the label is escaped', () => {
    const svg = accessibleSvg(
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" class="marks" width="10"><rect/></svg>',
      'x',
      'A <b>',
      'd & e',
    );
    expect(svg).toBe(
      '<svg class="marks chart" width="10" role="img" aria-labelledby="x-title x-desc"><title id="x-title">A &lt;b&gt;</title><desc id="x-desc">d &amp; e</desc><rect/></svg>',
    );
  });
});

describe('takeaways', () => {
  it('when the data changes, then the takeaways change with it', () => {
    const low = Float32Array.from([1, 1, 2, 5]);
    const high = Float32Array.from([5, 5, 4.5, 1]);
    expect(ratingTakeaway(ratingDistribution(low), 2.25)).toMatch(/^1\.0 stars is the most common rating \(50%\); the mean is 2\.25/);
    expect(ratingTakeaway(ratingDistribution(high), 3.88)).toMatch(/^5\.0 stars is the most common rating \(50%\); the mean is 3\.88/);

    const flat = longTail([10, 10, 10, 10]);
    const skewed = longTail([97, 1, 1, 1]);
    expect(concentrationTakeaway(flat, flat)).toBe('Half of all ratings come from the 50% most active users and go to the 50% most rated movies.');
    expect(concentrationTakeaway(skewed, flat)).toBe('Half of all ratings come from the 25% most active users and go to the 50% most rated movies.');

    expect(
      timeTakeaway([
        { period: '1999', ratings: 1, meanRating: 3 },
        { period: '2003', ratings: 3, meanRating: 4 },
      ]),
    ).toBe('Ratings span 1999-2003; the busiest year, 2003, holds 75% of them (3).');
    expect(coldStartTakeaway(coldStartShares([1, 30], [1, 2, 3, 50], [20]), 20)).toMatch(/^75% of movies \(3\) but 50% of users/);
  });

  it('when the least active users have the larger error, then the error takeaway says so with both figures', () => {
    expect(activityTakeaway(syntheticActivity())).toMatch(/higher for the least active users \(1\.100 with 1-4.*0\.800 with 500\+/);
  });
});
