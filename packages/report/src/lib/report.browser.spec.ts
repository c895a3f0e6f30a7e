import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium } from '@reelrank/config/testing';
import { syntheticReportInput } from '../testing/synthetic.js';
import { renderReportHtml } from './render-html.js';

/**
 * Opens a generated report in Debian's Chromium and checks that every chart rendered.
 * By default the report is built here from synthetic data (hermetic); REELRANK_REPORT_HTML=<file>
 * checks a real one instead (e.g. reports/ml-latest-small/index.html after `nx run report:report`).
 * The full-page screenshot goes to artifacts/report.png (gitignored).
 */
const WORKSPACE = resolve(__dirname, '../../../..');
const SCREENSHOT = join(WORKSPACE, 'artifacts', 'report.png');

interface FigureCheck {
  id: string;
  svgs: number;
  width: number;
  height: number;
  marks: number;
  axisTitles: { text: string; visible: boolean }[];
  caption: string;
}

describe('report in a real browser', () => {
  let browser: Browser;
  let reportFile: string;

  beforeAll(async () => {
    if (process.env.REELRANK_REPORT_HTML) reportFile = resolve(process.env.REELRANK_REPORT_HTML);
    else {
      reportFile = join(mkdtempSync(join(tmpdir(), 'reelrank-report-browser-')), 'index.html');
      writeFileSync(reportFile, (await renderReportHtml(syntheticReportInput())).html);
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('when the report opens, then every chart has a non-empty SVG with visible axis titles, and nothing is fetched', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(reportFile).href);
    const figures: FigureCheck[] = await page.$$eval('figure[data-chart]', (nodes) =>
      nodes.map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const visible = (el: Element) => {
          const r = el.getBoundingClientRect();
          const style = getComputedStyle(el);
          return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none' && Number(style.opacity) > 0;
        };
        const marks = Array.from(
          svg?.querySelectorAll('g[class*="role-mark"] path, g[class*="role-mark"] rect, g[class*="role-mark"] line') ?? [],
        ).filter(visible);
        const titles = Array.from(svg?.querySelectorAll('g[class*="role-axis-title"] text') ?? []);
        return {
          id: figure.getAttribute('data-chart') ?? '',
          svgs: figure.querySelectorAll('svg').length,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: marks.length,
          axisTitles: titles.map((t) => ({ text: t.textContent ?? '', visible: visible(t) })),
          caption: figure.querySelector('figcaption')?.textContent ?? '',
        };
      }),
    );
    expect(figures.length).toBeGreaterThanOrEqual(8);
    for (const f of figures) {
      const where = `chart ${f.id}`;
      expect({ where, svgs: f.svgs }).toEqual({ where, svgs: 1 });
      expect({ where, ok: f.width > 200 && f.height > 100 }).toEqual({ where, ok: true });
      expect({ where, hasMarks: f.marks > 0 }).toEqual({ where, hasMarks: true });
      expect({ where, titles: f.axisTitles.length >= 2 }).toEqual({ where, titles: true });
      for (const title of f.axisTitles)
        expect({ where, title: title.text, visible: title.visible && title.text.length > 0 }).toEqual({ where, title: title.text, visible: true });
      expect(f.caption.length).toBeGreaterThan(20);
    }
    expect(requests).toEqual([]);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });

  it('when the page is phone-width, then nothing overflows horizontally', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 800 } });
    await page.goto(pathToFileURL(reportFile).href);
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await page.close();
  });
});
