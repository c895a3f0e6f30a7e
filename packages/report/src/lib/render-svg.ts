import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { escapeHtml } from './format.js';
import { installTextMetrics } from './text-metrics.js';

/** A chart ready for the page: its spec, the takeaway computed from its data, and the SVG. */
export interface ChartDefinition {
  /** Unique, HTML-id safe. */
  id: string;
  title: string;
  /** One line computed from the data. */
  takeaway: string;
  spec: TopLevelSpec;
}

export interface RenderedChart extends ChartDefinition {
  svg: string;
}

/** Compiles a Vega-Lite spec and renders it headless (no canvas, no DOM) to an SVG string. */
export async function renderSpecToSvg(spec: TopLevelSpec): Promise<string> {
  installTextMetrics();
  const { spec: vegaSpec } = compile(spec);
  const view = new View(parse(vegaSpec), { renderer: 'none', logLevel: 0 });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Makes the SVG fit for inline use in HTML: no namespace URLs (inline SVG does not need them,
 * and the page then holds no URL at all), an accessible name (role="img", <title>, <desc>) and
 * a fluid width (the viewBox keeps the aspect ratio).
 */
export function accessibleSvg(svg: string, id: string, title: string, description: string): string {
  const open = svg.match(/^<svg\b[^>]*>/);
  if (!open) throw new Error(`Chart ${id}: renderer output is not an SVG`);
  const attributes = open[0]
    .replace(/^<svg\b|>$/g, '')
    .replace(/\s(xmlns(:\w+)?|role|aria-[\w-]+)="[^"]*"/g, '')
    .replace(/\sclass="([^"]*)"/, ' class="$1 chart"');
  const head = `<svg${attributes} role="img" aria-labelledby="${id}-title ${id}-desc"><title id="${id}-title">${escapeHtml(title)}</title><desc id="${id}-desc">${escapeHtml(description)}</desc>`;
  return head + svg.slice(open[0].length);
}

export async function renderChart(chart: ChartDefinition): Promise<RenderedChart> {
  const svg = await renderSpecToSvg(chart.spec);
  const description = `${chart.spec.description ?? chart.title}. ${chart.takeaway}`;
  return { ...chart, svg: accessibleSvg(svg, chart.id, chart.title, description) };
}

/** Renders charts one after the other (vega views are cheap; this keeps memory flat). */
export async function renderCharts(charts: readonly ChartDefinition[]): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const chart of charts) out.push(await renderChart(chart));
  return out;
}
