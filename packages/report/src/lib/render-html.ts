/** The page: one self-contained HTML file (inline CSS and SVG, no script, no URL of any kind). */
import { escapeHtml, int, pct } from './format.js';
import { renderCharts, type RenderedChart } from './render-svg.js';
import { buildSections, type ReportInput, type ReportOverview, type ReportSection } from './sections.js';

const CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5a6270; --line: #d9dde3; --accent: #3b6ea5; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 "DejaVu Sans", Verdana, system-ui, sans-serif; color: var(--ink); background: var(--bg); }
header, main, footer { max-width: 70rem; margin: 0 auto; padding: 1rem 1.25rem; }
header h1 { margin: 0.5rem 0 0.25rem; font-size: 1.8rem; }
.meta, footer { color: var(--muted); font-size: 0.9rem; }
dl.overview { display: grid; grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr)); gap: 0.5rem; margin: 1rem 0 0; }
dl.overview div { background: white; border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 0.75rem; }
dl.overview dt { color: var(--muted); font-size: 0.8rem; }
dl.overview dd { margin: 0; font-size: 1.25rem; font-weight: bold; }
nav ol { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; padding: 0; margin: 1rem 0 0; list-style: none; }
a { color: var(--accent); }
section { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 0.5rem 1.25rem 1.25rem; margin: 0 0 1.25rem; }
section h2 { font-size: 1.35rem; margin: 0.75rem 0 0.25rem; }
figure { margin: 1.25rem 0 0; }
figcaption { margin: 0 0 0.5rem; }
figcaption .takeaway { display: block; color: var(--ink); }
figcaption strong { display: block; font-size: 1.05rem; }
svg.chart { display: block; max-width: 100%; min-width: 28rem; height: auto; }
.scroll { overflow-x: auto; max-width: 100%; }
table.kv td { overflow-wrap: anywhere; }
.na { color: #8a4b00; background: #fff6e5; border-left: 4px solid #e0a030; padding: 0.5rem 0.75rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
caption { text-align: left; color: var(--muted); padding-bottom: 0.25rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.6rem; text-align: right; }
th[scope="row"], thead th:first-child { text-align: left; font-weight: normal; }
thead th { border-bottom: 2px solid var(--ink); }
tr.served { background: #eef4fb; }
.tables { display: flex; flex-wrap: wrap; gap: 0 2rem; align-items: flex-start; }
table.kv td { text-align: left; }
@media (max-width: 40rem) { body { font-size: 15px; } section { padding: 0.25rem 0.75rem 1rem; } }
`;

function overviewHtml(o: ReportOverview): string {
  const items: [string, string][] = [
    ['Ratings', int(o.sparsity.ratings)],
    ['Users', int(o.sparsity.users)],
    ['Rated movies', int(o.sparsity.ratedMovies)],
    ['Catalogue movies', int(o.sparsity.catalogMovies)],
    ['Matrix density', pct(o.sparsity.density)],
    ['Mean rating', Number.isFinite(o.meanRating) ? o.meanRating.toFixed(2) : 'not available'],
    ['Period', o.firstPeriod ? `${o.firstPeriod}-${o.lastPeriod}` : 'not available'],
  ];
  return `<dl class="overview">${items.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`;
}

function figureHtml(chart: RenderedChart): string {
  return [
    `<figure id="fig-${chart.id}" data-chart="${chart.id}">`,
    `<figcaption><strong>${escapeHtml(chart.title)}</strong><span class="takeaway">${escapeHtml(chart.takeaway)}</span></figcaption>`,
    `<div class="scroll">${chart.svg}</div>`,
    '</figure>',
  ].join('\n');
}

function sectionHtml(section: ReportSection, charts: readonly RenderedChart[]): string {
  const parts = [
    `<section id="${section.id}" aria-labelledby="${section.id}-heading">`,
    `<h2 id="${section.id}-heading">${escapeHtml(section.heading)}</h2>`,
  ];
  if (section.intro) parts.push(`<p>${escapeHtml(section.intro)}</p>`);
  for (const chart of charts) parts.push(figureHtml(chart));
  if (section.unavailable) parts.push(`<p class="na" data-unavailable>${escapeHtml(section.unavailable)}</p>`);
  if (section.html) parts.push(section.html);
  parts.push('</section>');
  return parts.join('\n');
}

/** Builds every section, renders its charts to SVG and assembles the page. */
export async function renderReportHtml(input: ReportInput): Promise<{ html: string; charts: RenderedChart[] }> {
  const { overview, sections } = buildSections(input);
  const rendered = await renderCharts(sections.flatMap((s) => s.charts));
  const byId = new Map(rendered.map((c) => [c.id, c]));
  const title = `reelrank exploration report: ${input.dataset}`;
  const generated = input.generatedAt ?? new Date().toISOString();
  const nav = sections.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.heading)}</a></li>`).join('');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">What the ratings look like, who rates how much, how sparse the data is, and how the served model does. Generated ${escapeHtml(generated)} from the SQLite database${input.model?.version ? ` and model ${escapeHtml(input.model.version)}` : ''}.</p>
${overviewHtml(overview)}
<nav aria-label="Sections"><ol>${nav}</ol></nav>
</header>
<main>
${sections
  .map((s) =>
    sectionHtml(
      s,
      s.charts.map((c) => byId.get(c.id)!),
    ),
  )
  .join('\n')}
</main>
<footer>Charts are Vega-Lite specifications rendered to SVG at build time; this file needs no server and no network.</footer>
</body>
</html>
`;
  return { html, charts: rendered };
}
