// The page's calls to the reelrank API: fetch + JSON, the API's errors as ApiError, title search,
// and the error box that shows them.

const PAGE_SIZE = 10;

export class ApiError extends Error {
  constructor(message, status, code, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? [];
  }
}

/** fetch + JSON; any failure becomes an ApiError carrying the API's {error:{message, details}}. */
export async function api(path, init = {}) {
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
export async function searchMovies(text, offset, signal) {
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

export function showError(box, error) {
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

export function clearError(box) {
  box.hidden = true;
  box.replaceChildren();
}
