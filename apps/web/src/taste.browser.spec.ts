import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import helmet from 'helmet';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, listenOnLoopback, requireChromium, testServing, type Listening } from '@reelrank/config/testing';
import { createApp } from '@reelrank/api';
import { plantedRecommender } from '@reelrank/serving/testing';
import { webRoot } from './index';

/**
 * The page's taste-signal buttons and its variety control in Chromium (playwright-core) against the
 * real API on the planted model (no training needed): a new visitor gets the popular list; "Not
 * interested" on its first pick stores the signal for the visitor's user id, takes the movie out of
 * the picks at once and lists it under "Your list"; Undo brings it back. A screenshot goes to
 * artifacts/web-taste.png.
 */

const ADMIN_TOKEN = 'taste-spec-admin-7Hq2Xv9Lm4Kp8Zr3Wt6Yb1';
/** Screenshots (gitignored). */
const ARTIFACTS = join(__dirname, '..', '..', '..', 'artifacts');

describe('taste signals and variety on the page', () => {
  let server: Listening | undefined;
  let browser: Browser;

  beforeAll(async () => {
    requireChromium();
    const api = createApp({
      recommender: plantedRecommender(),
      config: { serving: testServing(webRoot) },
      logger: pino({ level: 'silent' }),
      admin: { token: ADMIN_TOKEN },
    });
    const app = express();
    app.use(helmet()); // a CSP violation by the page shows as a console error below
    app.use(express.static(webRoot));
    app.use(api);
    server = await listenOnLoopback(app);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const picks = (page: Page) => page.$$eval('#recs-list > li', (items) => items.map((li) => Number((li as HTMLElement).dataset.movieId)));

  it('when "Not interested" is clicked on a pick, then it leaves the picks, the server stores it for the visitor, and Undo brings it back', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    try {
      await page.goto(`${server!.base}/`);
      await page.waitForSelector('html.ready');
      await page.click('#recs-button');
      await page.waitForSelector('#recs-list > li');
      const before = await picks(page);
      const first = before[0];
      await page.click(`#recs-list > li[data-movie-id="${first}"] button[data-signal="not_interested"]`);
      await page.waitForSelector(`#signals-list li[data-movie-id="${first}"][data-signal="not_interested"]`);
      await page.waitForFunction(
        (id) => !Array.from(document.querySelectorAll('#recs-list > li')).some((li) => (li as HTMLElement).dataset.movieId === String(id)),
        first,
      );
      expect(await picks(page)).not.toContain(first);
      expect(await page.isVisible('#signals-box')).toBe(true);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'web-taste.png'), fullPage: true });

      const user = await page.evaluate(() =>
        fetch('/visitor', { method: 'POST' })
          .then((r) => r.json())
          .then((body: { user_id: number }) => body.user_id),
      );
      const stored = await fetch(`${server!.base}/users/${user}/signals`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(((await stored.json()) as { signals: { movie_id: number; kind: string }[] }).signals).toEqual([
        expect.objectContaining({ movie_id: first, kind: 'not_interested' }),
      ]);

      await page.click(`#signals-list li[data-movie-id="${first}"] button`);
      await page.waitForSelector(`#recs-list > li[data-movie-id="${first}"]`);
      expect(await page.isHidden('#signals-box')).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('when the variety slider moves, then the page asks with that diversity', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server!.base}/`);
      await page.waitForSelector('html.ready');
      await page.click('#recs-button');
      await page.waitForSelector('#recs-list > li');
      const asked = page.waitForRequest((r) => r.url().endsWith('/recommendations') && r.method() === 'POST');
      await page.$eval('#diversity-input', (input) => {
        (input as HTMLInputElement).value = '0.75';
        input.dispatchEvent(new Event('change'));
      });
      expect(JSON.parse((await asked).postData() ?? '{}')).toMatchObject({ diversity: 0.75 });
      expect(await page.textContent('#diversity-value')).toBe('0.75');
    } finally {
      await page.close();
    }
  });
});
