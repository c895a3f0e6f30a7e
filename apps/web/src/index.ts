import { join } from 'node:path';

/**
 * Absolute path of the static page (index.html, style.css, app.js and the ES modules it imports:
 * api-client.js, rating-store.js, movie-items.js, taste-signals.js): plain files, no build step.
 * The API serves it at `/` with `app.use(express.static(webRoot))`.
 */
export const webRoot: string = join(__dirname, '..', 'public');
