// Servers and surfaces: the server list, the surface picker, the address hash
// (#server/surface/x/y/zoom[/t=<unix ms>], no t = live) and the cursor's coordinates.
import { $, api, element, notice, setData, text } from './dom.js';
import { fromLatLng, loadSurface, map, toLatLng } from './map.js';
import { formatHash, parseHash, surfaceLabel } from './model.js';
import { hashWithTime, timeFromHash } from './timeline.js';
import { MAX_ZOOM, MIN_TILE_ZOOM, emit, state } from './state.js';

/** Fills the surface picker from `state.surfaces` (labels as text). */
export function renderSurfaces() {
  const select = $('surface-select');
  const names = Object.keys(state.surfaces).sort();
  if (state.surface && !names.includes(state.surface)) { names.push(state.surface); }
  select.textContent = '';
  for (const name of names) {
    const opt = element('option', surfaceLabel(name, state.surfaces[name] || {}));
    opt.value = name;
    opt.selected = name === state.surface;
    select.appendChild(opt);
  }
  setData('surface', state.surface || '');
}

/** Shows surface `name`; `keepView`: keep the map where it is (else fit the surface). */
export function selectSurface(name, keepView) {
  if (!name || name === state.surface) { return; }
  state.surface = name;
  state.versions = {};
  state.extent = null;
  state.zooms = [];
  renderSurfaces();
  emit('surfacechange');
  loadSurface(!keepView, true);
  writeHash();
}
$('surface-select').onchange = (e) => selectSurface(e.target.value);

/** nauvis if the server has it, else the first surface by name. */
export function pickDefaultSurface() {
  const names = Object.keys(state.surfaces);
  if (names.includes('nauvis')) { return 'nauvis'; }
  return names.sort()[0] || null;
}

/** Shows server `id` (and `surface`, else its default one). */
export function selectServer(id, surface) {
  if (id === state.server && (!surface || surface === state.surface)) { return; }
  if (id !== state.server) {
    state.server = id;
    state.surfaces = {};
    state.surface = null;
    const info = state.servers.find((s) => s.id === id);
    if (info) { for (const n of info.surfaces) { state.surfaces[n] = { name: n }; } }
    emit('serverchange');
  }
  $('server-picker').hidden = true;
  $('server-info').hidden = false;
  text($('server-name'), id);
  setData('server', id);
  const keep = state.viewFromHash;
  state.viewFromHash = false;
  selectSurface(surface || pickDefaultSurface(), keep);
  renderSurfaces();
}

function showServerList() {
  const list = $('server-list');
  list.textContent = '';
  for (const s of state.servers) {
    const li = element('li', `${s.id} · ${s.status} · ${s.playersOnline} online`);
    li.onclick = () => selectServer(s.id);
    list.appendChild(li);
  }
  if (!state.servers.length) { list.appendChild(element('li', 'no servers yet')); }
  $('server-picker').hidden = false;
}
$('server-name').onclick = (e) => { e.preventDefault(); loadServers(true); };

async function loadServers(forceList) {
  try {
    const list = await api('api/servers');
    state.servers = list;
    setData('servers', list.length);
    if (forceList || (!state.server && list.length !== 1)) {
      showServerList();
    } else if (!state.server && list.length === 1) {
      selectServer(list[0].id);
    }
  } catch (err) {
    notice(`cannot load servers (${err.message}); retrying`);
    setTimeout(() => loadServers(forceList), 3000);
  }
}

// ---- URL hash and cursor ----------------------------------------------------------------------
let applyingHash = false;
/** Writes the shown server, surface, view and viewed time into the address hash. */
export function writeHash() {
  if (applyingHash || !state.server) { return; }
  const c = fromLatLng(map.getCenter());
  const h = hashWithTime(formatHash(state.server, state.surface, c.x, c.y, map.getZoom()), state.at);
  if (location.hash !== h) { history.replaceState(history.state, '', h); }
}

function readHash() {
  const h = parseHash(location.hash);
  if (!h) { return false; }
  const at = timeFromHash(location.hash);
  if (at !== state.at) {
    state.at = at;
    emit('timechange');
  }
  applyingHash = true;
  if (Number.isFinite(h.x) && Number.isFinite(h.y)) {
    const zoom = Number.isFinite(h.zoom) ? Math.max(MIN_TILE_ZOOM, Math.min(MAX_ZOOM, h.zoom)) : map.getZoom();
    map.setView(toLatLng(h.x, h.y), zoom, { animate: false });
    state.viewFromHash = true;
  }
  applyingHash = false;
  selectServer(h.server, h.surface);
  return true;
}

map.on('moveend', writeHash);
window.addEventListener('hashchange', readHash);
map.on('mousemove', (e) => {
  const p = fromLatLng(e.latlng);
  const x = Math.floor(p.x), y = Math.floor(p.y);
  text($('coords'), `x ${x}, y ${y}  ·  chunk ${Math.floor(x / 32)}, ${Math.floor(y / 32)}`);
});

/** Shows the server and view of the address hash, then loads the server list. */
export async function start() {
  const fromHash = readHash();
  await loadServers(false);
  if (fromHash) { $('server-picker').hidden = true; }
}
