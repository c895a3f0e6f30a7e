import pino from 'pino';
import type { Browser } from 'playwright-core';
import { launchChromium, listenOnLoopback, requireChromium, testServing, type Listening } from '@reelrank/config/testing';
import { createApp } from '@reelrank/api';
import { openSqliteKeyStore, type KeyStore } from '@reelrank/feedback';
import { plantedRecommender } from '@reelrank/serving/testing';
import { webRoot } from './index';

/** Swagger UI at /docs in Chromium: it opens clean, grouped by tag; "Authorize" takes an API key, and "Try it out" then sends it (POST /ratings needs a key). */

describe('Swagger UI "Authorize" with an API key', () => {
  let server: Listening | undefined;
  let base: string;
  let browser: Browser;
  let keys: KeyStore;
  let key: string;

  beforeAll(async () => {
    requireChromium();
    keys = openSqliteKeyStore(':memory:');
    key = (await keys.create('swagger', 'service')).key;
    const serving = testServing(webRoot);
    const app = createApp({ recommender: plantedRecommender(), config: { serving }, logger: pino({ level: 'silent' }), keys });
    server = await listenOnLoopback(app);
    base = server.base;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await keys?.close();
  });

  it('when /docs opens, then Swagger UI shows no error or warning, logs none, and groups the operations by tag in order', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    await page.goto(`${base}/docs/`);
    await page.locator('.swagger-ui .opblock-tag').first().waitFor();
    expect(await page.locator('.swagger-ui .errors-wrapper, .swagger-ui .version-pragma, .swagger-ui .loading-container .errors').count()).toBe(0);
    const tags = await page.locator('.swagger-ui .opblock-tag').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-tag')));
    expect(tags).toEqual(['recommendations', 'movies', 'ratings', 'identity', 'models', 'operations']);
    expect(await page.locator('#operations-tag-default').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('when a key is entered under Authorize, then "Try it out" on POST /ratings sends it and the rating is stored (201)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${base}/docs/`);
    await page.locator('.swagger-ui .btn.authorize').first().click();
    const bearer = page.locator('.auth-container', { hasText: 'http, Bearer' });
    await bearer.locator('#auth-bearer-value').fill(key);
    await bearer.locator('button.authorize').click();
    await page.locator('.modal-ux .btn-done, .modal-ux .close-modal').first().click();

    const operation = page.locator('#operations-ratings-postRatings');
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('.try-out__btn').click();
    await operation.locator('textarea.body-param__text').fill(JSON.stringify({ user_id: 4242, movie_id: 20, rating: 4 }));
    const answered = page.waitForResponse((r) => r.url() === `${base}/ratings` && r.request().method() === 'POST');
    await operation.locator('.execute').click();
    const response = await answered;
    expect(response.request().headers().authorization).toBe(`Bearer ${key}`);
    expect(response.status()).toBe(201);
    expect(problems).toEqual([]);
  });
});
