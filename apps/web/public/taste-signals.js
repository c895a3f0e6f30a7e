// "Not interested", "Seen it" and "Watchlist" on the page: each a POST /signals for this browser's
// user id (its visitor cookie); the movie then leaves the recommendations at once (and counts in the
// next training). "Your list" shows what the user marked, each entry with an Undo (DELETE).

import { api, clearError, showError } from './api-client.js';
import { userId, visitorApi } from './rating-store.js';

export const SIGNAL_LABELS = { not_interested: 'Not interested', seen: 'Seen it', watchlist: 'Watchlist' };
/** "Your list" shows the newest this many. */
const SHOWN = 20;
/** Titles of the movies seen on this page (the signals list names movies by id). */
const titles = new Map();

/** @type {() => void} */
let changed = () => undefined;
let box = null;
let list = null;
let errorBox = null;
let clickErrors = null;

/** Where "Your list" renders (and its errors; a button's go to `clickErrors`), and what to do after a signal is stored or undone. */
export function setupSignals(elements, onChange) {
  ({ list, errorBox, box, clickErrors } = elements);
  changed = onChange;
}

/** The three buttons of a recommended movie. */
export function signalButtons(movie) {
  titles.set(movie.movie_id, movie.title);
  return Object.entries(SIGNAL_LABELS).map(([kind, label]) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary small';
    button.textContent = label;
    button.dataset.signal = kind;
    button.setAttribute('aria-label', `${label}: ${movie.title}`);
    button.addEventListener('click', async () => {
      if (button.getAttribute('aria-disabled') === 'true') return;
      button.setAttribute('aria-disabled', 'true');
      clearError(clickErrors);
      try {
        const request = { user_id: await userId(), movie_id: movie.movie_id, kind };
        await visitorApi('signals', { method: 'POST', body: JSON.stringify(request) });
        button.closest('li')?.remove();
        await loadSignals();
        changed();
      } catch (error) {
        showError(clickErrors, error);
      } finally {
        button.removeAttribute('aria-disabled');
      }
    });
    return button;
  });
}

/** "Your list": the user's signals from the server, newest first, each with Undo. */
export async function loadSignals() {
  if (!list) return;
  try {
    const body = await visitorApi(`users/${await userId()}/signals`);
    const newest = body.signals.reverse().slice(0, SHOWN);
    await Promise.all(
      newest
        .filter((s) => !titles.has(s.movie_id))
        .map((s) =>
          api(`movies/${s.movie_id}`).then(
            (m) => titles.set(s.movie_id, m.title),
            () => undefined,
          ),
        ),
    );
    list.replaceChildren(...newest.map(signalItem));
    box.hidden = body.signals.length === 0;
  } catch (error) {
    showError(errorBox, error);
  }
}

function signalItem(signal) {
  const item = document.createElement('li');
  item.dataset.movieId = String(signal.movie_id);
  item.dataset.signal = signal.kind;
  const title = titles.get(signal.movie_id) ?? `movie ${signal.movie_id}`;
  const text = document.createElement('span');
  text.textContent = `${SIGNAL_LABELS[signal.kind]}: ${title}`;
  const undo = document.createElement('button');
  undo.type = 'button';
  undo.className = 'secondary small';
  undo.textContent = 'Undo';
  undo.setAttribute('aria-label', `Undo ${SIGNAL_LABELS[signal.kind]} for ${title}`);
  undo.addEventListener('click', async () => {
    clearError(errorBox);
    try {
      await visitorApi(`users/${await userId()}/signals/${signal.kind}/${signal.movie_id}`, { method: 'DELETE' });
      item.remove();
      box.hidden = list.childElementCount === 0;
      changed();
    } catch (error) {
      showError(errorBox, error);
    }
  });
  item.append(text, ' ', undo);
  return item;
}
