import { join } from 'node:path';
import type { ServingConfig } from '@reelrank/config';
import { testServing } from '@reelrank/config/testing';
import { plantedRecommender } from '@reelrank/serving/testing';
import { createApp } from '../lib/app.js';

/** The planted catalogue as processed CSVs (same movies as MOVIES), which the SQLite tests load. */
export const PROCESSED_DIR = join(__dirname, 'processed');

export { COMEDY, MOVIES, plantedBundle, plantedContentMap, plantedRecommender, RATED, SCI_FI } from '@reelrank/serving/testing';

/** The committed web page (config/serving.json's webRoot, resolved as loadConfig does). */
export const WEB_ROOT = join(__dirname, '..', '..', '..', 'web', 'public');

export const SERVING: ServingConfig = testServing(WEB_ROOT);

/** The admin token the test apps take (strong enough for the start-up check): a credential that may do everything. */
export const TEST_ADMIN_TOKEN = 'test-admin-7Hq2Xv9Lm4Kp8Zr3Wt6Yb1';
export const AS_ADMIN = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

export function plantedApp() {
  return createApp({ recommender: plantedRecommender(), config: { serving: SERVING }, admin: { token: TEST_ADMIN_TOKEN } });
}
