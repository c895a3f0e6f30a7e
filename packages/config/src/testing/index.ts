/** @reelrank/config/testing: what the specs share that is not part of any stage (the browser the browser specs drive, a test app's serving settings). */
export { CHROMIUM_ARGS, CHROMIUM_PATH, launchChromium, requireChromium } from './chromium.js';
export { testServing } from './serving.js';
export { listenOnLoopback, type Listening } from './listening.js';
