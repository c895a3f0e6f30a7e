import { join } from 'node:path';

/**
 * Absolute path of the static page (index.html, app.js, style.css): plain files, no build step.
 * The API serves it at `/` with `app.use(express.static(webRoot))`.
 */
export const webRoot: string = join(__dirname, '..', 'public');
