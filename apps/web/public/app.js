// reelrank web page: search, rate (kept in localStorage), recommendations from POST /recommendations/new-user,
// similar movies. Vanilla ES module, no dependencies, no inline scripts or styles (works under helmet's CSP).
// All text is written with textContent, never innerHTML.

const STORAGE_KEY = 'reelrank.ratings.v1';
const SEARCH_DELAY_MS = 250;
const PAGE_SIZE = 10;
const N_RECOMMENDATIONS = 10;
const N_SIMILAR = 5;
const STAR_VALUES = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5];
const STRATEGY_TEXT = {
  'fold-in': 'personalised',
  'popular-blend': 'partly personalised (mixed with popular picks; rate 5 or more for fully personal picks)',
  popular: 'popular picks (rate some movies to personalise)',
};

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(message, status, code, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? [];
  }
}

/** fetch + JSON; any failure becomes an ApiError carrying the API's {error:{message, details}}. */
async function api(path, init = {}) {
  let response;
  try {
    response = await fetch(path, { ...init, headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError('Could not reach the server. Check your connection and try again.', 0, 'network_error');
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: handled below
  }
  if (!response.ok) {
    const e = body && body.error;
    throw new ApiError(e && e.message ? e.message : `The server answered ${response.status}`, response.status, e && e.code, e && e.details);
  }
  return body;
}

/** Title search; uses GET /movies?search= and falls back to the older /movies/search?q= alias. */
let searchPath = 'movies';
async function searchMovies(text, offset, signal) {
  const params = (key) => new URLSearchParams({ [key]: text, limit: String(PAGE_SIZE), offset: String(offset) });
  if (searchPath === 'movies') {
    try {
      return await api(`movies?${params('search')}`, { signal });
    } catch (error) {
      if (!(error instanceof ApiError && (error.code === 'not_found' || (error.status === 400 && /search/.test(JSON.stringify(error.details))))))
        throw error;
      searchPath = 'movies/search';
    }
  }
  return api(`movies/search?${params('q')}`, { signal });
}

function showError(box, error) {
  box.replaceChildren();
  const message = document.createElement('p');
  message.textContent = error instanceof ApiError ? error.message : 'Something went wrong.';
  box.append(message);
  if (error instanceof ApiError && error.details.length) {
    const list = document.createElement('ul');
    for (const d of error.details) {
      const item = document.createElement('li');
      item.textContent = d.field ? `${d.field}: ${d.message}` : d.message;
      list.append(item);
    }
    box.append(list);
  }
  box.hidden = false;
}

function clearError(box) {
  box.hidden = true;
  box.replaceChildren();
}

// ---------------------------------------------------------------- ratings (localStorage)

/** @type {Map<number, {movie_id:number, title:string, year:number|null, genres:string[], rating:number}>} newest first */
let ratings = new Map();

function loadRatings() {
  try {
    const list = JSON.parse(localStorage.getItem(STORAGE_KEY) || '[]');
    if (Array.isArray(list)) {
      ratings = new Map(
        list
          .filter((r) => r && Number.isInteger(r.movie_id) && STAR_VALUES.includes(r.rating))
          .map((r) => [
            r.movie_id,
            {
              movie_id: r.movie_id,
              title: String(r.title ?? `Movie ${r.movie_id}`),
              year: r.year ?? null,
              genres: Array.isArray(r.genres) ? r.genres : [],
              rating: r.rating,
            },
          ]),
      );
    }
  } catch {
    ratings = new Map();
  }
}

function saveRatings() {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify([...ratings.values()]));
  } catch {
    // storage full or disabled: the ratings still work for this visit
  }
}

function setRating(movie, value) {
  const existing = ratings.get(movie.movie_id);
  if (existing) {
    existing.rating = value;
  } else {
    // newest first
    ratings = new Map([
      [movie.movie_id, { movie_id: movie.movie_id, title: movie.title, year: movie.year ?? null, genres: movie.genres ?? [], rating: value }],
      ...ratings,
    ]);
  }
  saveRatings();
  syncStars(movie.movie_id);
  if (!existing) $('ratings-list').prepend(ratingItem(ratings.get(movie.movie_id)));
  updateRatingsSummary();
  markRecsStale();
}

function removeRating(movieId) {
  ratings.delete(movieId);
  saveRatings();
  syncStars(movieId);
  updateRatingsSummary();
  markRecsStale();
}

function updateRatingsSummary() {
  const n = ratings.size;
  $('ratings-count').textContent = n ? `(${n})` : '';
  $('ratings-empty').hidden = n > 0;
}

// ---------------------------------------------------------------- star rating widget

/** A radio group of half and whole stars: one tab stop, arrow keys move, each radio has a spoken label. */
function starRating(movie) {
  const group = document.createElement('fieldset');
  group.className = 'stars';
  group.dataset.starsFor = String(movie.movie_id);
  const legend = document.createElement('legend');
  legend.className = 'visually-hidden';
  legend.textContent = `Your rating for ${movie.title}`;
  group.append(legend);
  const name = nextId('rate');
  for (const value of STAR_VALUES) {
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = name;
    input.value = String(value);
    input.id = `${name}-${value * 2}`;
    input.className = 'visually-hidden';
    input.addEventListener('change', () => {
      if (input.checked) setRating(movie, value);
    });
    const label = document.createElement('label');
    label.htmlFor = input.id;
    label.className = Number.isInteger(value) ? 'star right' : 'star left';
    label.title = `${value} of 5`;
    const text = document.createElement('span');
    text.className = 'visually-hidden';
    text.textContent = `${value} ${value === 1 ? 'star' : 'stars'}`;
    label.append(text);
    group.append(input, label);
  }
  const shown = document.createElement('span');
  shown.className = 'stars-value';
  shown.setAttribute('aria-hidden', 'true');
  group.append(shown);
  paintStars(group, ratings.get(movie.movie_id)?.rating);
  return group;
}

function paintStars(group, rating) {
  for (const input of group.querySelectorAll('input')) {
    const value = Number(input.value);
    input.checked = value === rating;
    input.nextElementSibling.classList.toggle('on', rating !== undefined && value <= rating);
  }
  group.querySelector('.stars-value').textContent = rating === undefined ? 'not rated' : `${rating.toFixed(1)} / 5`;
}

function syncStars(movieId) {
  const rating = ratings.get(movieId)?.rating;
  for (const group of document.querySelectorAll(`[data-stars-for="${movieId}"]`)) paintStars(group, rating);
}

// ---------------------------------------------------------------- movie list items

function describe(movie) {
  const parts = [];
  if (movie.genres && movie.genres.length && movie.genres[0] !== '(no genres listed)') parts.push(movie.genres.join(', '));
  return parts.join(' · ');
}

function titleBlock(movie, level = 'h3') {
  const heading = document.createElement(level);
  heading.className = 'movie-title';
  heading.textContent = movie.title;
  const meta = document.createElement('p');
  meta.className = 'movie-meta';
  meta.textContent = describe(movie);
  return [heading, meta];
}

/** "Similar movies" disclosure: a button toggling an inline list fetched on first open. */
function similarToggle(movie) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary small';
  button.textContent = 'Similar movies';
  button.setAttribute('aria-expanded', 'false');
  const panel = document.createElement('div');
  panel.className = 'similar';
  panel.id = nextId('similar');
  panel.hidden = true;
  button.setAttribute('aria-controls', panel.id);
  button.setAttribute('aria-label', `Similar movies to ${movie.title}`);
  let loaded = false;
  button.addEventListener('click', async () => {
    const open = button.getAttribute('aria-expanded') === 'true';
    if (open) {
      button.setAttribute('aria-expanded', 'false');
      panel.hidden = true;
      return;
    }
    button.setAttribute('aria-expanded', 'true');
    panel.hidden = false;
    if (loaded) return;
    panel.replaceChildren(statusLine('Loading similar movies…'));
    panel.setAttribute('aria-busy', 'true');
    try {
      const body = await api(`movies/${movie.movie_id}/similar?n=${N_SIMILAR}`);
      loaded = true;
      if (!body.similar.length) {
        panel.replaceChildren(statusLine('The model knows too little about this movie to find similar ones.'));
      } else {
        const list = document.createElement('ul');
        list.className = 'similar-list';
        list.setAttribute('aria-label', `Movies similar to ${movie.title}`);
        for (const m of body.similar) {
          const item = document.createElement('li');
          item.dataset.movieId = String(m.movie_id);
          const title = document.createElement('span');
          title.className = 'similar-title';
          title.textContent = m.title;
          const score = document.createElement('span');
          score.className = 'similar-score';
          score.textContent = `${Math.round(m.similarity * 100)}% alike`;
          item.append(title, ' ', score);
          list.append(item);
        }
        panel.replaceChildren(list);
      }
    } catch (error) {
      const box = document.createElement('div');
      box.className = 'error';
      box.setAttribute('role', 'alert');
      showError(box, error);
      panel.replaceChildren(box);
    } finally {
      panel.removeAttribute('aria-busy');
    }
  });
  return [button, panel];
}

function statusLine(text) {
  const p = document.createElement('p');
  p.className = 'status';
  p.textContent = text;
  return p;
}

function movieItem(movie, { element = 'li', extra = [], actions = [] } = {}) {
  const item = document.createElement(element);
  item.className = 'movie';
  item.dataset.movieId = String(movie.movie_id);
  const [similarButton, similarPanel] = similarToggle(movie);
  const actionRow = document.createElement('div');
  actionRow.className = 'actions';
  actionRow.append(similarButton, ...actions);
  item.append(...titleBlock(movie), ...extra, starRating(movie), actionRow, similarPanel);
  return item;
}

function ratingItem(entry) {
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'secondary small';
  remove.textContent = 'Remove';
  remove.setAttribute('aria-label', `Remove your rating of ${entry.title}`);
  const item = movieItem(entry, { actions: [remove] });
  remove.addEventListener('click', () => {
    // keep keyboard focus nearby: next item's Remove, else previous, else the section heading
    const neighbour = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    removeRating(entry.movie_id);
    const target = neighbour ? neighbour.querySelector('.actions button:last-child') : $('ratings-heading');
    if (!neighbour) $('ratings-heading').tabIndex = -1;
    target.focus();
  });
  return item;
}

function renderRatings() {
  $('ratings-list').replaceChildren(...[...ratings.values()].map(ratingItem));
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

function markRecsStale() {
  if (recsRequested) $('recs-stale').hidden = false;
}

async function getRecommendations() {
  recsRequested = true;
  recsController?.abort();
  const controller = (recsController = new AbortController());
  const genre = /** @type {HTMLSelectElement} */ ($('genre-select')).value;
  const list = $('recs-list');
  const button = /** @type {HTMLButtonElement} */ ($('recs-button'));
  const sent = [...ratings.values()].map((r) => ({ movie_id: r.movie_id, rating: r.rating }));
  const request = { ratings: sent, n_recommendations: N_RECOMMENDATIONS, ...(genre ? { genres: [genre] } : {}) };
  clearError($('recs-error'));
  $('recs-stale').hidden = true;
  $('recs-status').textContent = 'Finding picks…';
  list.setAttribute('aria-busy', 'true');
  button.setAttribute('aria-disabled', 'true');
  try {
    const body = await api('recommendations/new-user', { method: 'POST', body: JSON.stringify(request), signal: controller.signal });
    if (controller.signal.aborted) return;
    list.replaceChildren(...body.recommendations.map(recommendationItem));
    list.dataset.strategy = body.strategy;
    list.dataset.genre = genre;
    const used =
      body.ratings_used === sent.length
        ? `${sent.length} ${sent.length === 1 ? 'rating' : 'ratings'} used`
        : `${body.ratings_used} of ${sent.length} ratings used (the model has too little data on the others)`;
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
    if (error instanceof ApiError && error.code === 'movie_not_found') {
      const advice = document.createElement('p');
      advice.className = 'advice';
      advice.textContent = 'Remove that movie from “Your ratings” (it may come from another catalogue) and try again.';
      $('recs-error').append(advice);
    }
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
  const item = movieItem(rec, { extra });
  item.dataset.genres = rec.genres.join('|');
  return item;
}

// ---------------------------------------------------------------- wiring

function init() {
  loadRatings();
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
  // other tabs: keep the ratings in step
  window.addEventListener('storage', (event) => {
    if (event.key !== STORAGE_KEY) return;
    loadRatings();
    renderRatings();
    for (const group of document.querySelectorAll('[data-stars-for]')) paintStars(group, ratings.get(Number(group.dataset.starsFor))?.rating);
  });
  document.documentElement.classList.add('ready');
}

init();
