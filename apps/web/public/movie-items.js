// Movie list items: title and genres, the star rating widget, the "Similar movies" disclosure.
// The page registers what a click on a star does (onRate), so this module does not import the page.

import { api, showError } from './api-client.js';
import { ratingOf, STAR_VALUES } from './rating-store.js';

const N_SIMILAR = 5;

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

/** @type {(movie: object, value: number) => void} */
let rate = () => undefined;

/** Sets what choosing a star does (the page's setRating). */
export function onRate(handler) {
  rate = handler;
}

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
      if (input.checked) rate(movie, value);
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
  paintStars(group, ratingOf(movie.movie_id)?.rating);
  return group;
}

export function paintStars(group, rating) {
  for (const input of group.querySelectorAll('input')) {
    const value = Number(input.value);
    input.checked = value === rating;
    input.nextElementSibling.classList.toggle('on', rating !== undefined && value <= rating);
  }
  group.querySelector('.stars-value').textContent = rating === undefined ? 'not rated' : `${rating.toFixed(1)} / 5`;
}

export function syncStars(movieId) {
  const rating = ratingOf(movieId)?.rating;
  for (const group of document.querySelectorAll(`[data-stars-for="${movieId}"]`)) paintStars(group, rating);
}

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

export function statusLine(text) {
  const p = document.createElement('p');
  p.className = 'status';
  p.textContent = text;
  return p;
}

export function movieItem(movie, { element = 'li', extra = [], actions = [] } = {}) {
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
