/** @reelrank/config/testing: what the specs share that is not part of any stage (the browser the browser specs drive). */
export { CHROMIUM_ARGS, CHROMIUM_PATH, launchChromium, requireChromium } from './chromium.js';
