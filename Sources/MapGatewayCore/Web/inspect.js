// Click-to-inspect: a click on the map at detail zoom fetches the clicked chunk's interactivity
// grid (grid.js) and shows, in a popup, the building there (name, type, force, position) and the
// ore under it (resource, amount). Game text is shown as text (the popup gets a DOM node).
import { api, element, setData } from './dom.js';
import { amountText, cellOf, gridCell } from './grid.js';
import { L, fromLatLng, map } from './map.js';
import { DETAIL_ZOOM, state } from './state.js';

/** The last answer, for tests: `{x, y, building, resource}` or null. */
export const inspected = { last: null };

const popup = L.popup({ className: 'inspect-popup', maxWidth: 260, autoPan: false });

function line(label, value) {
  const row = element('div', '', 'row');
  row.append(element('span', label, 'label'), element('span', value));
  return row;
}

/** The popup's content for what is at game tile (`tx`, `ty`). */
function content(tx, ty, found) {
  const box = element('div', '', 'inspect');
  const b = found.building, r = found.resource;
  if (b) {
    box.append(element('b', b.name, 'inspect-name'));
    box.append(line('type', b.type || 'unknown'), line('force', b.force), line('position', `${b.x}, ${b.y}`));
  }
  if (r) {
    box.append(element(b ? 'div' : 'b', r.name, b ? 'inspect-ore' : 'inspect-name'));
    box.append(line('amount', amountText(r.amount)));
  }
  if (!b && !r) { box.append(element('span', 'nothing here', 'muted')); }
  box.append(element('div', `tile ${tx}, ${ty}`, 'muted'));
  return box;
}

async function inspectAt(latlng) {
  const { server, surface } = state;
  const p = fromLatLng(latlng);
  const c = cellOf(p.x, p.y);
  setData('inspect', 'loading');
  let grid = null;
  try {
    grid = await api(`tiles/${encodeURIComponent(server)}/${encodeURIComponent(surface)}/inspect/3/${c.cx}/${c.cy}.json`);
  } catch {
    grid = null;  // 404: nothing to inspect in that chunk
  }
  if (server !== state.server || surface !== state.surface) { return; }
  const found = gridCell(grid, c.dx, c.dy);
  inspected.last = { x: c.tx, y: c.ty, ...found };
  popup.setLatLng(latlng).setContent(content(c.tx, c.ty, found)).openOn(map);
  setData('inspect', found.building ? 'building' : found.resource ? 'resource' : 'none');
}

map.on('click', (e) => {
  if (!state.server || !state.surface || map.getZoom() < DETAIL_ZOOM) { return; }
  // A click on a marker (players, trains, …) is that marker's.
  const target = e.originalEvent && e.originalEvent.target;
  if (target instanceof Element && target.closest('.leaflet-interactive, .leaflet-marker-icon')) { return; }
  inspectAt(e.latlng);
});
