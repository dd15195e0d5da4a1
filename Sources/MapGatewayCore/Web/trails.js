// The "Player trails" layer: where each player walked on the shown surface in the hour up to the
// viewed moment (live: up to now), from `/api/…/trails` (`docs/gateway.md`), one polyline per
// segment in the player's colour, the name as a DOM text tooltip. Off by default; it follows the
// viewed time (`onViewedTime`) and refreshes every 30 s while live.
import { api, setData } from './dom.js';
import { L, layerControl, map, toLatLng } from './map.js';
import { events, state } from './state.js';
import { onViewedTime, viewedWindow } from './timebar.js';
import { trailColor, trailLines, trailsPath } from './timeline.js';

/** How often live trails are reloaded. */
const REFRESH_MS = 30000;
/** The layer (in the layer control, off until chosen). */
export const trailLayer = L.layerGroup();
layerControl.addOverlay(trailLayer, 'Player trails');
/** The shown trails (tests read them): `{ index, name, points }` per player. */
export const trails = [];
let seq = 0;

async function load() {
  if (!map.hasLayer(trailLayer) || !state.server || !state.surface) { return; }
  const mine = ++seq;
  const w = viewedWindow();
  let answer;
  try {
    answer = await api(trailsPath(state.server, state.surface, w));
  } catch (e) {
    console.warn('trails:', e);
    return;
  }
  if (mine !== seq) { return; }
  trailLayer.clearLayers();
  trails.length = 0;
  for (const p of Array.isArray(answer.players) ? answer.players : []) {
    const lines = trailLines(p);
    const color = trailColor(p.color);
    const name = document.createElement('span');
    name.textContent = String(p.name ?? '');
    for (const line of lines) {
      const poly = L.polyline(line.map(([x, y]) => toLatLng(x, y)), { color, weight: 3, opacity: 0.8, className: 'player-trail' });
      poly.bindTooltip(name.cloneNode(true), { sticky: true, className: 'trail-label' });
      trailLayer.addLayer(poly);
    }
    trails.push({ index: p.index, name: String(p.name ?? ''), points: lines.reduce((n, l) => n + l.length, 0) });
  }
  setData('trails', trails.length);
}

// Shown (from the layer control or by a script) or hidden.
trailLayer.on('add', () => load());
trailLayer.on('remove', () => {
  seq += 1;
  trailLayer.clearLayers();
  trails.length = 0;
  setData('trails', 0);
});
events.addEventListener('surfacechange', () => { trailLayer.clearLayers(); load(); });
onViewedTime(() => load());
setInterval(() => { if (state.at === null) { load(); } }, REFRESH_MS);
