// reelrank web page: search, rate (stored on the server under this browser's visitor identity, a signed
// cookie), recommendations from POST /recommendations for its user id (the ratings are folded in at once), similar movies. Vanilla ES module,
// no dependencies, no inline scripts or styles (works under helmet's CSP). All text is written with
// textContent, never innerHTML. The parts: api-client.js (fetch, errors, search), rating-store.js (the
// ratings on the server, the visitor's user id, a copy in localStorage), movie-items.js (list items, stars, similar),
// taste-signals.js (not interested / seen / watchlist buttons and "Your list").

import { ApiError, clearError, searchMovies, showError } from './api-client.js';
import { movieItem, onRate, paintStars, syncStars } from './movie-items.js';
import { loadSignals, setupSignals, signalButtons } from './taste-signals.js';
import {
  allRatings,
  CACHE_KEY,
  deleteRating,
  loadCached,
  migrateLegacy,
  putRating,
  ratingCount,
  ratingOf,
  syncFromServer,
  userId,
  visitorApi,
  writesSettled,
} from './rating-store.js';

const SEARCH_DELAY_MS = 250;
const N_RECOMMENDATIONS = 10;
const STRATEGY_TEXT = {
  'fold-in': 'personalised',
  personalized: 'personalised',
  'popular-blend': 'partly personalised (mixed with popular picks; rate 5 or more for fully personal picks)',
  popular: 'popular picks (rate some movies to personalise)',
};

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

// ---------------------------------------------------------------- your ratings

/** The newest rating asked for per movie: the stars are repainted from the store only once that one is answered. */
const latestAsked = new Map();

/** Stores the rating on the server; the stars show the stored value again if that fails. */
async function setRating(movie, value) {
  const asked = {};
  latestAsked.set(movie.movie_id, asked);
  clearError($('ratings-error'));
  try {
    const added = await putRating(movie, value);
    if (added) $('ratings-list').prepend(ratingItem(ratingOf(movie.movie_id)));
    updateRatingsSummary();
    refreshRecs();
  } catch (error) {
    showError($('ratings-error'), error);
  } finally {
    // Arrow keys ask for several ratings in a row: repainting after an earlier answer would move the stars under the keys.
    if (latestAsked.get(movie.movie_id) === asked) {
      latestAsked.delete(movie.movie_id);
      syncStars(movie.movie_id);
    }
  }
}

/** Deletes the rating on the server; true when it is gone. */
async function removeRating(movieId) {
  clearError($('ratings-error'));
  try {
    await deleteRating(movieId);
  } catch (error) {
    showError($('ratings-error'), error);
    return false;
  }
  syncStars(movieId);
  updateRatingsSummary();
  refreshRecs();
  return true;
}

function updateRatingsSummary() {
  const n = ratingCount();
  $('ratings-count').textContent = n ? `(${n})` : '';
  $('ratings-empty').hidden = n > 0;
}

function ratingItem(entry) {
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'secondary small';
  remove.textContent = 'Remove';
  remove.setAttribute('aria-label', `Remove your rating of ${entry.title}`);
  const item = movieItem(entry, { actions: [remove] });
  remove.addEventListener('click', async () => {
    if (remove.getAttribute('aria-disabled') === 'true') return;
    remove.setAttribute('aria-disabled', 'true');
    const removed = await removeRating(entry.movie_id);
    remove.removeAttribute('aria-disabled');
    if (!removed) return;
    // keep keyboard focus nearby: next item's Remove, else previous, else the section heading
    const neighbour = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    const target = neighbour ? neighbour.querySelector('.actions button:last-child') : $('ratings-heading');
    if (!neighbour) $('ratings-heading').tabIndex = -1;
    target.focus();
  });
  return item;
}

function renderRatings() {
  $('ratings-list').replaceChildren(...allRatings().map(ratingItem));
  updateRatingsSummary();
}

// ---------------------------------------------------------------- search

let searchTimer = 0;
let searchController = null;
let searchState = { text: '', offset: 0, total: 0 };

function scheduleSearch() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => runSearch(false), SEARCH_DELAY_MS);
}

async function runSearch(more) {
  const text = /** @type {HTMLInputElement} */ ($('search-input')).value.trim();
  const list = $('search-results');
  const moreButton = $('search-more');
  searchController?.abort();
  clearError($('search-error'));
  if (!more) {
    if (text === searchState.text && list.childElementCount) return;
    searchState = { text, offset: 0, total: 0 };
    if (!text) {
      list.replaceChildren();
      moreButton.hidden = true;
      $('search-status').textContent = '';
      return;
    }
  }
  const controller = (searchController = new AbortController());
  list.setAttribute('aria-busy', 'true');
  try {
    const body = await searchMovies(text, searchState.offset, controller.signal);
    if (controller.signal.aborted) return;
    const items = body.movies.map((m) => movieItem(m));
    if (more) list.append(...items);
    else list.replaceChildren(...items);
    searchState.offset += body.movies.length;
    searchState.total = body.total;
    moreButton.hidden = searchState.offset >= body.total;
    $('search-status').textContent =
      body.total === 0
        ? `No movies match “${text}”.`
        : `Showing ${searchState.offset} of ${body.total} ${body.total === 1 ? 'movie' : 'movies'} matching “${text}”.`;
    if (more && items.length) items[0].querySelector('input')?.focus();
  } catch (error) {
    if (controller.signal.aborted || (error instanceof DOMException && error.name === 'AbortError')) return;
    if (!more) list.replaceChildren();
    moreButton.hidden = true;
    $('search-status').textContent = '';
    showError($('search-error'), error);
  } finally {
    if (searchController === controller) list.removeAttribute('aria-busy');
  }
}

// ---------------------------------------------------------------- recommendations

let recsRequested = false;
let recsController = null;

/** Once picks are shown, a stored or removed rating asks again: the server folds it in at once. */
function refreshRecs() {
  if (recsRequested) getRecommendations();
}

async function getRecommendations() {
  recsRequested = true;
  recsController?.abort();
  const controller = (recsController = new AbortController());
  const genre = /** @type {HTMLSelectElement} */ ($('genre-select')).value;
  const list = $('recs-list');
  const button = /** @type {HTMLButtonElement} */ ($('recs-button'));
  clearError($('recs-error'));
  $('recs-status').textContent = 'Finding picks…';
  list.setAttribute('aria-busy', 'true');
  button.setAttribute('aria-disabled', 'true');
  try {
    await writesSettled(); // ratings still being stored count in these picks
    if (controller.signal.aborted) return;
    const n = ratingCount();
    const diversity = Number(/** @type {HTMLInputElement} */ ($('diversity-input')).value);
    const request = {
      user_id: await userId(),
      n_recommendations: N_RECOMMENDATIONS,
      ...(genre ? { genres: [genre] } : {}),
      ...(diversity > 0 ? { diversity } : {}),
    };
    const body = await visitorApi('recommendations', { method: 'POST', body: JSON.stringify(request), signal: controller.signal });
    if (controller.signal.aborted) return;
    list.replaceChildren(...body.recommendations.map(recommendationItem));
    list.dataset.strategy = body.strategy;
    list.dataset.genre = genre;
    const used = `${n} ${n === 1 ? 'rating' : 'ratings'}`;
    const how = STRATEGY_TEXT[body.strategy] ?? body.strategy;
    const where = genre ? ` in ${genre}` : '';
    const count = body.recommendations.length
      ? `${body.recommendations.length} ${body.recommendations.length === 1 ? 'pick' : 'picks'}${where}.`
      : `No picks${where}: try another genre.`;
    $('recs-status').textContent = `${used}: ${how}. ${count}`;
  } catch (error) {
    if (controller.signal.aborted || (error instanceof DOMException && error.name === 'AbortError')) return;
    list.replaceChildren();
    $('recs-status').textContent = '';
    showError($('recs-error'), error);
  } finally {
    if (recsController === controller) {
      list.removeAttribute('aria-busy');
      button.removeAttribute('aria-disabled');
    }
  }
}

function recommendationItem(rec) {
  const predicted = document.createElement('p');
  predicted.className = 'predicted';
  const label = document.createElement('span');
  label.textContent = 'Predicted rating ';
  const value = document.createElement('strong');
  value.className = 'predicted-value';
  value.textContent = rec.predicted_rating.toFixed(1);
  const scale = document.createElement('span');
  scale.textContent = ' / 5';
  predicted.append(label, value, scale);
  const extra = [predicted];
  if (rec.because && rec.because.text) {
    const because = document.createElement('p');
    because.className = 'because';
    because.textContent = rec.because.text;
    extra.push(because);
  }
  const item = movieItem(rec, { extra, actions: signalButtons(rec) });
  item.dataset.genres = rec.genres.join('|');
  return item;
}

// ---------------------------------------------------------------- wiring

/** The list from the server (after posting what an earlier version of the page kept only here). */
async function loadFromServer() {
  $('ratings-list').setAttribute('aria-busy', 'true');
  try {
    const { dropped } = await migrateLegacy();
    if (dropped.length) {
      const titles = dropped.map((r) => r.title).join(', ');
      showError($('ratings-error'), new ApiError(`Not kept (not in this catalogue): ${titles}.`, 404, 'movie_not_found'));
    }
    await syncFromServer();
    renderRatings();
  } catch (error) {
    showError($('ratings-error'), error);
  } finally {
    $('ratings-list').removeAttribute('aria-busy');
    $('ratings-list').dataset.synced = 'true';
  }
}

function init() {
  onRate(setRating);
  loadCached();
  renderRatings();
  const input = $('search-input');
  input.addEventListener('input', scheduleSearch);
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    runSearch(false);
  });
  $('search-more').addEventListener('click', () => runSearch(true));
  $('recs-form').addEventListener('submit', (event) => {
    event.preventDefault();
    getRecommendations();
  });
  $('genre-select').addEventListener('change', () => {
    if (recsRequested) getRecommendations();
  });
  $('diversity-input').addEventListener('change', () => {
    $('diversity-value').textContent = /** @type {HTMLInputElement} */ ($('diversity-input')).value;
    if (recsRequested) getRecommendations();
  });
  setupSignals({ list: $('signals-list'), errorBox: $('signals-error'), clickErrors: $('recs-error'), box: $('signals-box') }, refreshRecs);
  // other tabs: keep the ratings in step (each saves the server's answers to CACHE_KEY)
  window.addEventListener('storage', (event) => {
    if (event.key !== CACHE_KEY) return;
    loadCached();
    renderRatings();
    for (const group of document.querySelectorAll('[data-stars-for]')) paintStars(group, ratingOf(Number(group.dataset.starsFor))?.rating);
  });
  document.documentElement.classList.add('ready');
  void loadFromServer();
  void loadSignals();
}

init();
