import { syntheticReportInput } from '../testing/synthetic.js';
import { renderReportHtml } from './render-html.js';

/** Anything that would make the browser fetch: src/href/url()/@import/xlink to a URL, or a script. */
const RESOURCE_REFERENCE =
  /(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\/|url\(\s*["']?\s*(?:https?:)?\/\/|@import|<script|<link\b|<iframe|<img\b/i;

describe('renderReportHtml', () => {
  it('when rendering a full report, then it has every section, figure, caption and the model card', async () => {
    const { html, charts } = await renderReportHtml(syntheticReportInput());
    for (const id of ['ratings', 'long-tail', 'sparsity', 'genres', 'time', 'cold-start', 'model']) {
      expect(html).toContain(`<section id="${id}" aria-labelledby="${id}-heading">`);
      expect(html).toContain(`<a href="#${id}">`);
    }
    expect(charts).toHaveLength(11);
    expect(html.match(/<figure /g)).toHaveLength(11);
    expect(html.match(/<figcaption>/g)).toHaveLength(11);
    expect(html.match(/<svg /g)).toHaveLength(11);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('name="viewport"');
    expect(html).toMatch(/<table class="metrics">[\s\S]*biased MF \(SGD\)[\s\S]*<\/table>/);
    expect(html).toContain('Precision@10');
    expect(html).toContain('NDCG@10');
    expect(html).toContain('<tr class="served">');
    expect(html).not.toContain('data-unavailable');
  });

  it('when checking the page, then it references no external resource at all (no URL of any kind)', async () => {
    const { html } = await renderReportHtml(syntheticReportInput());
    expect(html).not.toMatch(RESOURCE_REFERENCE);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('when there is no model, then the model sections say "not available" instead of charts', async () => {
    const { html, charts } = await renderReportHtml(
      syntheticReportInput({ model: null, activity: null, modelNote: 'model.json missing: run nx run trainer:pipeline' }),
    );
    expect(charts.map((c) => c.id)).not.toContain('error-by-activity');
    expect(charts.map((c) => c.id)).not.toContain('training-curve');
    expect(html).toContain('Model card: not available (model.json missing: run nx run trainer:pipeline).');
    expect(html).toContain('Model error by user activity: not available');
    expect(html).toContain('<section id="model"');
  });

  it('when text comes from the data, then it is HTML-escaped', async () => {
    const input = syntheticReportInput();
    const { html } = await renderReportHtml({
      ...input,
      dataset: '<b>x</b>',
      movies: input.movies.map((m, i) => (i === 0 ? { ...m, genres: ['<Evil & Co>'] } : m)),
    });
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<Evil');
  });
});
