// The search box: players, map tags, train stops and surfaces of the shown server, matched
// forgivingly (fuzzy.js). Keyboard-driven: `/` or Ctrl+K focuses it, arrows move, Enter picks,
// Escape closes. Picking a result switches surface if needed and flies there. Every name is
// shown as text. Tags and stations come from the WebSocket (the `live` page event of live.js).
import { $, element, setData } from './dom.js';
import { fuzzySearch } from './fuzzy.js';
import { L, map, toLatLng } from './map.js';
import { surfaceLabel } from './model.js';
import { selectSurface } from './servers.js';
import { DETAIL_ZOOM, events, live, state } from './state.js';

const MAX_RESULTS = 8;

/** The searchable factory objects of the shown server: tags by number, stations by unit. */
export const search = { tags: new Map(), stations: new Map(), results: [], active: -1 };

/** A tag's label: its text, else its icon's name, else its number. */
function tagLabel(t) {
  return t.text || (t.icon && t.icon.name) || `tag ${t.tag}`;
}

/** Everything that can be found now, as `{kind, label, surface, x, y, …}`. */
export function candidates() {
  const out = [];
  for (const p of Object.values(live.players)) {
    out.push({ kind: 'player', label: p.name, surface: p.surface, index: p.index, online: p.online });
  }
  for (const t of search.tags.values()) {
    out.push({ kind: 'tag', label: tagLabel(t), surface: t.surface, x: t.x, y: t.y });
  }
  for (const s of search.stations.values()) {
    out.push({ kind: 'station', label: s.name, surface: s.surface, x: s.x, y: s.y });
  }
  for (const [name, s] of Object.entries(state.surfaces)) {
    out.push({ kind: 'surface', label: surfaceLabel(name, s), surface: name });
  }
  return out;
}

// ---- keeping tags and stations ----------------------------------------------------------------
function onLive(msg) {
  switch (msg.type) {
    case 'snapshot':
      search.tags.clear(); search.stations.clear();
      for (const t of msg.tags || []) { search.tags.set(t.tag, t); }
      for (const s of msg.stations || []) { search.stations.set(s.unit, s); }
      break;
    case 'tag': search.tags.set(msg.tag, msg); break;
    case 'tags_removed': for (const n of msg.tags || []) { search.tags.delete(n); } break;
    case 'station': search.stations.set(msg.unit, msg); break;
    case 'station_removed': search.stations.delete(msg.unit); break;
    case 'surface':
      if (msg.deleted) {
        for (const [k, t] of search.tags) { if (t.surface === msg.name) { search.tags.delete(k); } }
        for (const [k, s] of search.stations) { if (s.surface === msg.name) { search.stations.delete(k); } }
      }
      break;
    default: return;
  }
  if (!$('search-results').hidden) { update(); }
}
events.addEventListener('live', (e) => onLive(e.detail));
events.addEventListener('serverchange', () => { search.tags.clear(); search.stations.clear(); close(); });

// ---- the box ----------------------------------------------------------------------------------
const input = $('search-input');
const list = $('search-results');

function kindText(r) {
  const where = r.kind === 'surface' ? '' : ` · ${r.surface}`;
  return r.kind === 'player' && !r.online ? `player (offline)${where}` : r.kind + where;
}

function render() {
  list.textContent = '';
  search.results.forEach((r, i) => {
    const li = element('li', '', i === search.active ? 'active' : '');
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', String(i === search.active));
    li.dataset.kind = r.kind;
    li.dataset.label = r.label;
    li.append(element('span', r.label, 'name'), element('span', kindText(r), 'kind'));
    // mousedown, not click: it comes before the input's blur would close the list.
    li.addEventListener('mousedown', (e) => { e.preventDefault(); pick(i); });
    list.appendChild(li);
  });
  if (!search.results.length && input.value.trim()) { list.appendChild(element('li', 'nothing found', 'none')); }
  list.hidden = !input.value.trim();
  setData('searchResults', search.results.length);
}

function update() {
  search.results = fuzzySearch(input.value, candidates(), MAX_RESULTS);
  search.active = search.results.length ? 0 : -1;
  render();
}

function close() {
  search.results = [];
  search.active = -1;
  list.hidden = true;
  setData('searchResults', 0);
}

/** Shows result `i`: its surface, then flies to it (a surface is shown whole). */
export function pick(i) {
  const r = search.results[i];
  if (!r) { return; }
  close();
  input.blur();
  setData('searchPicked', `${r.kind}:${r.label}`);
  if (r.kind === 'surface') {
    if (r.surface !== state.surface) { selectSurface(r.surface); }
    return;
  }
  let { x, y } = r;
  if (r.kind === 'player') {
    const p = live.players[r.index];
    if (!p) { return; }
    ({ x, y } = p);
  }
  if (r.surface !== state.surface) { selectSurface(r.surface, true); }
  map.flyTo(toLatLng(x, y), Math.max(map.getZoom(), DETAIL_ZOOM), { duration: 0.8 });
}

input.addEventListener('input', update);
input.addEventListener('focus', () => { if (input.value.trim()) { update(); } });
input.addEventListener('blur', close);
input.addEventListener('keydown', (e) => {
  const n = search.results.length;
  if (e.key === 'ArrowDown' && n) {
    search.active = (search.active + 1) % n; render(); e.preventDefault();
  } else if (e.key === 'ArrowUp' && n) {
    search.active = (search.active - 1 + n) % n; render(); e.preventDefault();
  } else if (e.key === 'Enter') {
    pick(Math.max(0, search.active)); e.preventDefault();
  } else if (e.key === 'Escape') {
    input.value = ''; close(); input.blur(); e.preventDefault();
  }
});
// `/` (outside a text field) or Ctrl+K / Cmd+K anywhere focuses the box.
document.addEventListener('keydown', (e) => {
  const typing = e.target instanceof HTMLElement && (e.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName));
  if ((e.key === '/' && !typing) || (e.key.toLowerCase() === 'k' && (e.ctrlKey || e.metaKey))) {
    e.preventDefault();
    input.focus();
    input.select();
  }
});
// Keys typed in the box must not pan or zoom the map.
L.DomEvent.disableClickPropagation($('search'));
