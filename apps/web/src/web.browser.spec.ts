import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import helmet from 'helmet';
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '@reelrank/config';
import { launchChromium, listenOnLoopback, requireChromium, type Listening } from '@reelrank/config/testing';
import { runIngest } from '@reelrank/ingest';
import { loadDatabase } from '@reelrank/database';
import { runTraining } from '@reelrank/trainer';
import { loadModelArtifacts } from '@reelrank/model';
import { createApp } from '@reelrank/api';
import { openSqliteCatalog, Recommender } from '@reelrank/serving';
import { generatedMovieLensSource, readCatalogue, tempWorkspace, type CatalogueMovie } from '@reelrank/ingest/testing';
import { webRoot } from './index';

/**
 * The web page in a real browser (Debian's Chromium driven by playwright-core) against the real
 * API and a real model: generated MovieLens-shaped data (120 users, genre-aligned planted taste)
 * through the real ingest, database and train stages; the page's ratings go to the API's ratings store
 * (an in-memory SQLite store of the app) under the user id of the page's visitor cookie. Screenshots go to artifacts/web-*.png (gitignored).
 * One walk-through on one trained model (beforeAll) and one browser: each file would train and
 * launch a browser again.
 */

const ARTIFACTS = join(__dirname, '..', '..', '..', 'artifacts');
/** rating-store.js: the ratings of the page before they lived on the server, the copy of the server's list, the user id. */
const LEGACY_KEY = 'reelrank.ratings.v1';
const CACHE_KEY = 'reelrank.ratings.v2';
const USER_KEY = 'reelrank.user.v1';
/** The test reads what the server stores for the page's user as an admin (the page's own credential is its HttpOnly cookie). */
const ADMIN_TOKEN = 'web-spec-admin-7Hq2Xv9Lm4Kp8Zr3Wt6Yb1';

/** The movies rated in the walk-through: [search text, exact title, stars] (picked from the generated catalogue). */
let TO_RATE: [string, string, number][] = [];
/** Rated first, by keyboard (5 stars); then one rated 1 star and removed again; one searched on the phone. */
let FIRST: [string, string];
let REMOVED: [string, string];
let PHONE_QUERY: string;

/**
 * Well-rated movies whose search text (the title without its year, lowercased) finds only them:
 * plain titles (letters and spaces), no other title containing the text, most rated first.
 */
function searchableMovies(catalogue: CatalogueMovie[]): [string, string][] {
  const bare = (m: CatalogueMovie) => m.title.replace(/ \(\d{4}\)$/, '').toLowerCase();
  return catalogue
    .filter((m) => /^[A-Za-z]+( [A-Za-z]+)* \(\d{4}\)$/.test(m.title))
    .filter((m) => catalogue.filter((o) => o.title.toLowerCase().includes(bare(m))).length === 1)
    .map((m) => [bare(m), m.title]);
}

describe('web page in Chromium against the real API', () => {
  let server: Listening | undefined;
  let base: string;
  let browser: Browser;
  let closeCatalog: () => void;

  beforeAll(async () => {
    requireChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
    const root = tempWorkspace();
    const source = await generatedMovieLensSource({ users: 120, movies: 800, ratings: 18_000, factors: 4 });
    const movies = searchableMovies(readCatalogue(source));
    expect(movies.length).toBeGreaterThanOrEqual(8);
    [FIRST, REMOVED] = [movies[0], movies[6]];
    TO_RATE = movies.slice(1, 6).map(([query, title], j) => [query, title, [4.5, 4, 5, 3, 2.5][j]]);
    PHONE_QUERY = movies[7][0];
    const config = loadConfig({ root, env: { MOVIELENS_SOURCE: source }, overrides: { training: { maxEpochs: 25, factors: 32 } } });
    const quiet = () => undefined;
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
    await runTraining(config, { log: quiet });
    const catalog = openSqliteCatalog(config.paths.dbPath);
    closeCatalog = () => catalog.close();
    const recommender = new Recommender(loadModelArtifacts(config.paths.modelDir), catalog);
    const api = createApp({ recommender: () => recommender, config, logger: pino({ level: 'silent' }), admin: { token: ADMIN_TOKEN } });
    // Until the API mounts the page itself: helmet's default headers (so a CSP violation fails
    // the test), the static folder, then the API.
    const app = express();
    app.use(helmet());
    app.use(express.static(webRoot));
    app.use(api);
    server = await listenOnLoopback(app);
    base = server.base;
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    closeCatalog?.();
  });

  /** A page that records console errors and uncaught exceptions (a CSP violation is a console error). */
  async function openPage(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      // failed API calls (the error test's 404) are expected; anything else is a defect
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${base}/`);
    await page.waitForSelector('html.ready');
    return { page, problems };
  }

  const activeElement = (page: Page) =>
    page.evaluate(() => {
      const e = document.activeElement as HTMLInputElement | null;
      return {
        id: e?.id ?? '',
        tag: e?.tagName ?? '',
        type: e?.type ?? '',
        className: e?.className ?? '',
        value: e?.value ?? '',
        inResults: !!e?.closest('#search-results'),
      };
    });

  /** The page's user id (its visitor's, as POST /visitor tells the page) and the copy of its list (with titles) in localStorage. */
  const pageUser = (page: Page) =>
    page.evaluate(() =>
      fetch('/visitor', { method: 'POST' })
        .then((r) => r.json())
        .then((body: { user_id: number }) => body.user_id),
    );
  const cachedRatings = (page: Page) =>
    page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '[]') as { movie_id: number; title: string; rating: number }[], CACHE_KEY);
  /** What the server stores for a user: [movie_id, rating, source], by movie id. */
  const serverRatings = async (user: number) => {
    const body = (await (await fetch(`${base}/users/${user}/ratings`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as {
      ratings: { movie_id: number; rating: number; source: string }[];
    };
    return body.ratings.map((r) => [r.movie_id, r.rating, r.source]);
  };
  const listCount = (page: Page, n: number) => page.waitForFunction((count) => document.querySelectorAll('#ratings-list > li').length === count, n);
  const synced = (page: Page) => page.waitForSelector('#ratings-list[data-synced]', { state: 'attached' });

  /** Waits until a recommendations request has finished (status filled, list not busy). */
  async function recommendationsSettled(page: Page, genre = ''): Promise<void> {
    await page.waitForFunction((g) => {
      const list = document.getElementById('recs-list')!;
      const error = document.getElementById('recs-error')!;
      return !list.hasAttribute('aria-busy') && ((list.dataset.genre === g && list.childElementCount > 0) || !error.hidden);
    }, genre);
  }

  async function noHorizontalScroll(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
    return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  }

  it('when a person searches, rates five movies by keyboard and mouse, then the picks exclude them, explain themselves, follow the genre filter and show similar movies', async () => {
    const headers = (await fetch(`${base}/`)).headers;
    expect(headers.get('content-type')).toContain('text/html');
    expect(headers.get('content-security-policy')).toContain("script-src 'self'");

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, problems } = await openPage(context);
    expect(await page.title()).toContain('reelrank');
    await synced(page);
    const user = await pageUser(page);
    expect(user).toBeGreaterThanOrEqual(1_000_000_000); // far above the data set's ids
    // The id is no credential and not shown; the credential is a cookie the page's scripts cannot read.
    expect(await page.locator('body').textContent()).not.toContain(String(user));
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'rr_visitor', httpOnly: true, sameSite: 'Strict' });
    expect(await serverRatings(user)).toEqual([]);

    // Keyboard only: skip link, then the search box, then the first result's stars.
    await page.keyboard.press('Tab');
    expect((await activeElement(page)).className).toBe('skip-link');
    await page.keyboard.press('Enter');
    expect((await activeElement(page)).id).toBe('main');
    await page.keyboard.press('Tab');
    expect((await activeElement(page)).id).toBe('search-input');
    await page.keyboard.type(FIRST[0]);
    const toyStory = page.locator('#search-results > li').first();
    await page.waitForFunction((title) => document.getElementById('search-results')!.textContent!.includes(title), FIRST[1]);
    const status = await page.locator('#search-status').textContent();
    expect(status).toMatch(/Showing 1 of 1 movies? matching/);
    expect(status).toContain(`matching “${FIRST[0]}”`);
    expect(await toyStory.locator('.movie-title').textContent()).toBe(FIRST[1]);
    await page.keyboard.press('Tab');
    const star = await activeElement(page);
    expect(star).toMatchObject({ tag: 'INPUT', type: 'radio', inResults: true, value: '0.5' });
    await page.keyboard.press('Space');
    for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight');
    expect((await activeElement(page)).value).toBe('5');
    await listCount(page, 1);
    // Each arrow key stored a rating; the stars show the last one once it is answered.
    await page.waitForFunction(() => document.querySelector('#search-results > li .stars-value')?.textContent === '5.0 / 5');
    expect(await toyStory.locator('input:checked').getAttribute('value')).toBe('5');
    expect(await toyStory.locator('.stars-value').textContent()).toBe('5.0 / 5');
    await page.screenshot({ path: join(ARTIFACTS, 'web-desktop-keyboard.png') });
    // the accessible name of a star says what it is
    expect(await toyStory.locator('label[for$="-10"]').textContent()).toBe('5 stars');
    expect(await toyStory.locator('legend').textContent()).toBe(`Your rating for ${FIRST[1]}`);

    // Mouse: four more movies, plus a sixth that is then removed again.
    for (const [query, title, stars] of [...TO_RATE, [...REMOVED, 1] as [string, string, number]]) {
      await page.fill('#search-input', query);
      const item = page.locator('#search-results > li', { has: page.locator('.movie-title', { hasText: title }) }).first();
      await item.waitFor();
      const before = await page.locator('#ratings-list > li').count();
      await item.locator(`label[for$="-${stars * 2}"]`).click();
      expect(await item.locator('input:checked').getAttribute('value')).toBe(String(stars));
      await listCount(page, before + 1); // stored on the server, then listed
    }
    expect(await page.locator('#ratings-list > li').count()).toBe(7);
    expect(await page.locator('#ratings-count').textContent()).toBe('(7)');

    // Change one rating in "Your ratings" with the keyboard, remove two (one by keyboard).
    const gump = page.locator('#ratings-list > li', { hasText: TO_RATE[3][1] });
    await gump.locator('input:checked').focus();
    await page.keyboard.press('ArrowLeft');
    expect(await gump.locator('input:checked').getAttribute('value')).toBe('2.5');
    await page
      .locator('#ratings-list > li', { hasText: REMOVED[1] })
      .getByRole('button', { name: /Remove/ })
      .click();
    await listCount(page, 6);
    expect((await activeElement(page)).tag).toBe('BUTTON');
    const jurassic = page.locator('#ratings-list > li', { hasText: TO_RATE[4][1] });
    await jurassic.getByRole('button', { name: /Remove/ }).focus();
    await page.keyboard.press('Enter');
    await listCount(page, 5);

    // The ratings are in the server's store under the page's id (the removed ones deleted there too).
    let stored = await cachedRatings(page);
    const idOf = new Map(stored.map((r) => [r.title, r.movie_id]));
    const expected: [string, number][] = [
      [FIRST[1], 5],
      [TO_RATE[0][1], 4.5],
      [TO_RATE[1][1], 4],
      [TO_RATE[2][1], 5],
      [TO_RATE[3][1], 2.5],
    ];
    expect(await serverRatings(user)).toEqual(
      expected.map(([title, rating]) => [idOf.get(title), rating, 'new']).sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    expect(stored.map((r) => [r.title, r.rating]).sort()).toEqual(
      [
        [FIRST[1], 5],
        [TO_RATE[0][1], 4.5],
        [TO_RATE[1][1], 4],
        [TO_RATE[2][1], 5],
        [TO_RATE[3][1], 2.5],
      ].sort(),
    );
    // After a reload without the local copy (a browser restart, another tab): the list comes from the server, the cookie says whose.
    await page.evaluate((key) => localStorage.removeItem(key), CACHE_KEY);
    await page.reload();
    await page.waitForSelector('html.ready');
    await synced(page);
    expect(await page.locator('#ratings-list > li').count()).toBe(5);
    expect(await page.locator('#ratings-list > li', { hasText: TO_RATE[3][1] }).locator('input:checked').getAttribute('value')).toBe('2.5');
    stored = await cachedRatings(page);
    const rated = new Set(stored.map((r) => r.movie_id));
    const ratedTitles = stored.map((r) => r.title);

    // Get recommendations with the keyboard (genre select, Tab past the variety slider, Enter).
    await page.focus('#genre-select');
    await page.keyboard.press('Tab');
    expect((await activeElement(page)).id).toBe('diversity-input');
    await page.keyboard.press('Tab');
    expect((await activeElement(page)).id).toBe('recs-button');
    await page.keyboard.press('Enter');
    await recommendationsSettled(page);
    expect(await page.locator('#recs-error').isHidden()).toBe(true);
    expect(await page.locator('#recs-status').textContent()).toBe('5 ratings: personalised. 10 picks.');
    const picks = await page.locator('#recs-list > li').evaluateAll((items) =>
      items.map((li) => ({
        id: Number((li as HTMLElement).dataset.movieId),
        title: li.querySelector('.movie-title')?.textContent ?? '',
        predicted: Number(li.querySelector('.predicted-value')?.textContent),
        because: li.querySelector('.because')?.textContent ?? '',
      })),
    );
    expect(picks).toHaveLength(10);
    for (const pick of picks) {
      expect(rated.has(pick.id)).toBe(false);
      expect(pick.title).not.toBe('');
      expect(pick.predicted).toBeGreaterThanOrEqual(0.5);
      expect(pick.predicted).toBeLessThanOrEqual(5);
      expect(pick.because).toMatch(/^(Because you rated|Popular)/);
    }
    // Picks are ordered by the ranker, not by predicted rating; each shows a rating in range (checked above).
    expect(picks.some((p) => ratedTitles.some((t) => p.because.includes(t)))).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'web-desktop.png'), fullPage: true });

    // Genre filter re-queries: every pick has the genre.
    await page.selectOption('#genre-select', 'Comedy');
    await recommendationsSettled(page, 'Comedy');
    expect(await page.locator('#recs-status').textContent()).toMatch(/^5 ratings: personalised\. \d+ picks? in Comedy\.$/);
    const genres = await page.locator('#recs-list > li').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.genres!.split('|')));
    expect(genres.length).toBeGreaterThan(0);
    for (const g of genres) expect(g).toContain('Comedy');
    const comedyIds = await page.locator('#recs-list > li').evaluateAll((items) => items.map((li) => Number((li as HTMLElement).dataset.movieId)));
    for (const id of comedyIds) expect(rated.has(id)).toBe(false);

    // Similar movies open inline under the first pick, and close again.
    const firstPick = page.locator('#recs-list > li').first();
    const similarButton = firstPick.getByRole('button', { name: /^Similar movies to / });
    await similarButton.click();
    expect(await similarButton.getAttribute('aria-expanded')).toBe('true');
    const similar = firstPick.locator('.similar-list > li');
    await similar.first().waitFor();
    expect(await similar.count()).toBe(5);
    const firstId = Number(await firstPick.getAttribute('data-movie-id'));
    for (const id of await similar.evaluateAll((items) => items.map((li) => Number((li as HTMLElement).dataset.movieId))))
      expect(id).not.toBe(firstId);
    expect(await similar.first().textContent()).toMatch(/\d+% alike$/);
    await page.screenshot({ path: join(ARTIFACTS, 'web-desktop-genre-similar.png'), fullPage: true });
    await similarButton.press('Enter');
    expect(await similarButton.getAttribute('aria-expanded')).toBe('false');
    expect(await firstPick.locator('.similar').isHidden()).toBe(true);

    // Rating a pick changes the picks at once: the server folds the rating in, the page asks again.
    await page.selectOption('#genre-select', '');
    await recommendationsSettled(page);
    const before = await page.locator('#recs-list > li').evaluateAll((items) => items.map((li) => Number((li as HTMLElement).dataset.movieId)));
    await page.locator('#recs-list > li').first().locator('label[for$="-1"]').click();
    await page.waitForFunction((id) => {
      const list = document.getElementById('recs-list')!;
      return !list.hasAttribute('aria-busy') && list.childElementCount > 0 && !list.querySelector(`[data-movie-id="${id}"]`);
    }, before[0]);
    expect(await page.locator('#recs-status').textContent()).toBe('6 ratings: personalised. 10 picks.');
    expect((await serverRatings(user)).find((r) => r[0] === before[0])).toEqual([before[0], 0.5, 'new']);
    const after = await page.locator('#recs-list > li').evaluateAll((items) => items.map((li) => Number((li as HTMLElement).dataset.movieId)));
    expect(after).not.toEqual(before);

    // An API error is shown inline, and the stars show the stored rating again.
    await page.route('**/ratings', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 503,
            contentType: 'application/json',
            body: JSON.stringify({
              error: { code: 'ratings_store_unavailable', message: 'The ratings store did not take the write; nothing was stored, retry' },
            }),
          })
        : route.fallback(),
    );
    const first = page.locator('#ratings-list > li', { hasText: FIRST[1] });
    await first.locator('label[for$="-2"]').click();
    await page.locator('#ratings-error').waitFor();
    expect(await page.locator('#ratings-error').textContent()).toContain('The ratings store did not take the write');
    await page.waitForFunction((title) => {
      const item = Array.from(document.querySelectorAll('#ratings-list > li')).find((li) => li.textContent!.includes(title));
      return (item?.querySelector('input:checked') as HTMLInputElement | null)?.value === '5';
    }, FIRST[1]);
    await page.screenshot({ path: join(ARTIFACTS, 'web-desktop-error.png'), fullPage: true });
    await page.unroute('**/ratings');
    expect((await serverRatings(user)).find((r) => r[0] === idOf.get(FIRST[1]))).toEqual([idOf.get(FIRST[1]), 5, 'new']);

    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('when a browser of the page before the visitor cookie (its own id in localStorage) opens it, then its list moves to its visitor id and the old id is dropped', async () => {
    const [query, title] = TO_RATE[0];
    const found = (await (await fetch(`${base}/movies?search=${encodeURIComponent(query)}&limit=20`)).json()) as {
      movies: { movie_id: number; title: string; year: number | null; genres: string[] }[];
    };
    const movie = found.movies.find((m) => m.title === title)!;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(
      ([userKey, cacheKey, cached]) => {
        if (sessionStorage.getItem('seeded')) return;
        localStorage.setItem(userKey, '1234567890');
        localStorage.setItem(cacheKey, cached);
        sessionStorage.setItem('seeded', '1');
      },
      [USER_KEY, CACHE_KEY, JSON.stringify([{ ...movie, rating: 3.5 }])] as const,
    );
    const { page, problems } = await openPage(context);
    await synced(page);
    expect(await page.locator('#ratings-list > li').count()).toBe(1);
    const user = await pageUser(page);
    expect(user).not.toBe(1234567890);
    expect(await serverRatings(user)).toEqual([[movie.movie_id, 3.5, 'new']]);
    expect(await serverRatings(1234567890)).toEqual([]);
    expect(await page.evaluate((key) => localStorage.getItem(key), USER_KEY)).toBeNull();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('when the visitor cookie is altered, then the rating is refused with a message, and the next one is stored under a new visitor', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, problems } = await openPage(context);
    await synced(page);
    const before = await pageUser(page);
    const [query, title] = TO_RATE[1];
    await page.fill('#search-input', query);
    const item = page.locator('#search-results > li', { has: page.locator('.movie-title', { hasText: title }) }).first();
    await item.waitFor();
    // Altered once the page is in use (any request with it is refused, reads too, and the server clears it).
    const [cookie] = await context.cookies();
    const altered = cookie.value.replace(/^(v1\.[\w-]+\.)(\d+)\./, (_m, head: string, user: string) => `${head}${Number(user) + 1}.`);
    expect(altered).not.toBe(cookie.value);
    await context.addCookies([{ ...cookie, value: altered }]);

    await item.locator('label[for$="-8"]').click();
    await page.waitForFunction(() => !document.getElementById('ratings-error')!.hidden);
    expect(await page.locator('#ratings-error').textContent()).toMatch(/visitor cookie is not valid/);
    await item.locator('label[for$="-7"]').click();
    await listCount(page, 1);
    const after = await pageUser(page);
    expect(after).not.toBe(before);
    expect((await serverRatings(after)).map(([, rating]) => rating)).toEqual([3.5]);
    expect(await serverRatings(before)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('when a visitor of the earlier page (ratings only in localStorage) opens it at phone width (360 px), then their ratings move to the server, nothing scrolls sideways and the picks are readable', async () => {
    // the same five ratings as the earlier page kept them, plus one of a movie this catalogue does not know
    const ratings: { movie_id: number; title: string; year: number | null; genres: string[]; rating: number }[] = [];
    for (const [query, title, stars] of TO_RATE) {
      const body = (await (await fetch(`${base}/movies?search=${encodeURIComponent(query)}&limit=20`)).json()) as {
        movies: { movie_id: number; title: string; year: number | null; genres: string[] }[];
      };
      const movie = body.movies.find((m) => m.title === title);
      expect(movie).toBeDefined();
      ratings.push({ ...movie!, rating: stars });
    }
    const legacy = [...ratings, { movie_id: 99999999, title: 'A movie from another catalogue (2001)', year: 2001, genres: [], rating: 4 }];
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await context.addInitScript(
      ([key, value]) => {
        if (sessionStorage.getItem('seeded')) return;
        localStorage.setItem(key, value);
        sessionStorage.setItem('seeded', '1');
      },
      [LEGACY_KEY, JSON.stringify(legacy)] as const,
    );
    const { page, problems } = await openPage(context);
    await synced(page);
    expect(await page.locator('#ratings-list > li').count()).toBe(5);
    expect(await page.locator('#ratings-error').textContent()).toBe('Not kept (not in this catalogue): A movie from another catalogue (2001).');
    const user = await pageUser(page);
    expect((await serverRatings(user)).map(([id, rating]) => [id, rating])).toEqual(
      ratings.map((r) => [r.movie_id, r.rating]).sort((a, b) => a[0] - b[0]),
    );
    expect(await page.evaluate((key) => localStorage.getItem(key), LEGACY_KEY)).toBeNull(); // migrated once
    let width = await noHorizontalScroll(page);
    expect(width.scrollWidth).toBeLessThanOrEqual(width.clientWidth);
    expect(width.clientWidth).toBe(360);

    await page.screenshot({ path: join(ARTIFACTS, 'web-phone-top.png') });
    await page.fill('#search-input', PHONE_QUERY);
    await page.locator('#search-results > li').first().waitFor();
    await page.locator('#search-results > li').first().locator('label[for$="-7"]').tap();
    await listCount(page, 6);
    await page
      .locator('#search-results > li')
      .first()
      .screenshot({ path: join(ARTIFACTS, 'web-phone-search-item.png') });
    await page
      .locator('#ratings-list > li')
      .first()
      .getByRole('button', { name: /Remove/ })
      .tap();
    await listCount(page, 5);
    await page.locator('#genre-select').selectOption('Sci-Fi');
    await page.locator('#recs-button').tap();
    await recommendationsSettled(page, 'Sci-Fi');
    await page
      .locator('#recs-list > li')
      .first()
      .getByRole('button', { name: /^Similar movies/ })
      .tap();
    await page.locator('#recs-list > li .similar-list > li').first().waitFor();
    width = await noHorizontalScroll(page);
    expect(width.scrollWidth).toBeLessThanOrEqual(width.clientWidth);
    // no element sticks out to the right either (overflow hidden by a parent would not show in scrollWidth)
    const wide = await page.evaluate(() =>
      Array.from(document.querySelectorAll('body *'))
        .filter((e) => !e.closest('.visually-hidden') && !e.classList.contains('visually-hidden') && !e.classList.contains('skip-link'))
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map((e) => `${e.tagName}.${e.className}`),
    );
    expect(wide).toEqual([]);
    // text stays readable: nothing below 14 px
    const smallest = await page.evaluate(() =>
      Math.min(
        ...Array.from(document.querySelectorAll('main p, main li, main h3, main label, main button')).map((e) =>
          parseFloat(getComputedStyle(e).fontSize),
        ),
      ),
    );
    expect(smallest).toBeGreaterThanOrEqual(14);
    await page.screenshot({ path: join(ARTIFACTS, 'web-phone.png'), fullPage: true });
    await page
      .locator('#recs-list > li')
      .first()
      .screenshot({ path: join(ARTIFACTS, 'web-phone-pick.png') });
    expect(problems).toEqual([]);
    await context.close();
  }, 30_000);
});
