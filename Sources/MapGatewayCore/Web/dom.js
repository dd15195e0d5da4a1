// DOM and network helpers. Every text that comes from the game (names, messages, labels) goes
// into the page through `textContent` or text nodes, never as HTML.

/** The element with `id`. */
export const $ = (id) => document.getElementById(id);

/** Sets `el`'s text (never HTML) and returns `el`. */
export function text(el, s) {
  el.textContent = s;
  return el;
}

/** A new `tag` element holding `content` as text, with an optional class. */
export function element(tag, content = '', className = '') {
  const el = document.createElement(tag);
  el.textContent = content;
  if (className) { el.className = className; }
  return el;
}

/** Exposes page state as `<body data-key>` (tests and scripts/screenshot.py read it). */
export function setData(key, value) {
  document.body.dataset[key] = String(value);
}

/**
 * Removes `?token=` from the address bar (bookmarks, screen shares and history would keep it).
 * Called after a same-origin request that carried no token succeeded: the session cookie the
 * gateway set with the page now authenticates.
 */
export function dropTokenFromAddress() {
  const url = new URL(location.href);
  if (!url.searchParams.has('token')) { return; }
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

/** GETs `path` (relative to the page) as JSON; rejects on a non-2xx answer. */
export async function api(path) {
  const r = await fetch(path, { cache: 'no-store', credentials: 'same-origin' });
  if (!r.ok) { throw new Error(`${path}: HTTP ${r.status}`); }
  dropTokenFromAddress();
  return r.json();
}

let noticeTimer = null;
/** Shows `msg` (as text) in the panel for 8 s. */
export function notice(msg) {
  const el = $('notice');
  text(el, msg);
  el.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { el.hidden = true; }, 8000);
}
