// The map: Leaflet in CRS.Simple with one tile layer per map layer, the surface's extent and
// zoom levels, and live tile refresh. One map unit is one game tile; game (x, y) with y growing
// south is `L.latLng(-y, x)`, so at zoom 3 (8 px per game tile) Leaflet's tile (x, y) is chunk
// (x, y), as in the gateway's TileKey. Only Leaflet's public API is used.
import { api, setData } from './dom.js';
import { tileRel, tileURL, outsideExtent } from './model.js';
import { tileAtURL } from './timeline.js';
import { DETAIL_ZOOM, LAYERS, MAX_ZOOM, MIN_TILE_ZOOM, state } from './state.js';

/** Leaflet, loaded before the modules by its own script tag. */
export const L = globalThis.L;
/** 1×1 transparent PNG: a missing tile (404: unexplored or empty) shows nothing. */
const EMPTY_TILE =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII=';

export const toLatLng = (x, y) => L.latLng(-y, x);
export const fromLatLng = (ll) => ({ x: ll.lng, y: -ll.lat });

export const map = L.map('map', {
  crs: L.CRS.Simple, minZoom: MIN_TILE_ZOOM, maxZoom: MAX_ZOOM, zoomSnap: 1, attributionControl: false,
});
map.setView([0, 0], DETAIL_ZOOM);

// ---- tile layers ------------------------------------------------------------------------------
const MapTileLayer = L.TileLayer.extend({
  // While the past is viewed (`state.at`), the version current then (`?at=`), else the live one.
  getTileUrl(c) {
    return tileAtURL(tileURL(state.server, state.surface, this.options.layerName, c, state.versions), state.at);
  },
});

/** The tile images on screen by "layer/z/x/y", from Leaflet's tileloadstart/tileunload events. */
const onScreen = new Map();

function countLoaded() {
  state.tilesLoaded += 1;
  setData('tilesLoaded', state.tilesLoaded);
}

/** The tile layers by name. */
export const layers = {};
for (const name of LAYERS) {
  const layer = new MapTileLayer('', {
    layerName: name, tileSize: 256, minZoom: MIN_TILE_ZOOM, maxZoom: MAX_ZOOM,
    minNativeZoom: DETAIL_ZOOM, maxNativeZoom: DETAIL_ZOOM, noWrap: true, keepBuffer: 4,
    updateWhenZooming: false, errorTileUrl: EMPTY_TILE,
  });
  layer.on('tileloadstart', (e) => onScreen.set(tileRel(name, e.coords), e.tile));
  layer.on('tileunload', (e) => {
    const key = tileRel(name, e.coords);
    if (onScreen.get(key) === e.tile) { onScreen.delete(key); }
  });
  layer.on('tileload', (e) => { if (e.tile.src !== EMPTY_TILE) { countLoaded(); } });
  layer.on('tileerror', () => {
    state.tilesFailed += 1;
    setData('tilesFailed', state.tilesFailed);
  });
  layers[name] = layer;
}
const visible = { terrain: true, resources: true, buildings: true };

/** The players' markers. */
export const playerLayer = L.layerGroup().addTo(map);
/** The layer control (other modules add their overlays). */
export const layerControl = L.control.layers(null, {
  Terrain: layers.terrain, Resources: layers.resources, Buildings: layers.buildings, Players: playerLayer,
}, { position: 'topleft', collapsed: true }).addTo(map);
map.on('overlayadd overlayremove', (e) => {
  for (const n of LAYERS) { if (layers[n] === e.layer) { visible[n] = e.type === 'overlayadd'; } }
});

function extentBounds(e) {
  return L.latLngBounds(toLatLng(e.minX, e.maxY), toLatLng(e.maxX, e.minY));
}

// Native zooms come from the surface's tiles: below the lowest rendered level Leaflet scales
// those tiles down, above level 3 it scales detail tiles up (pixelated). Returns whether the
// lowest native zoom changed (the tiles on screen are then of the wrong level).
function configureLayers() {
  const zs = state.zooms.filter((z) => z <= DETAIL_ZOOM);
  const minNative = zs.length ? Math.min(...zs) : DETAIL_ZOOM;
  const bounds = state.extent ? extentBounds(state.extent) : null;
  const fit = bounds ? map.getBoundsZoom(bounds.pad(0.05)) : DETAIL_ZOOM;
  const minZoom = Math.max(MIN_TILE_ZOOM, minNative - 3, Math.min(fit - 1, DETAIL_ZOOM - 1));
  const changed = layers.terrain.options.minNativeZoom !== minNative;
  for (const n of LAYERS) {
    L.setOptions(layers[n], { minNativeZoom: minNative, bounds: bounds ? bounds.pad(0.5) : undefined, minZoom });
  }
  map.setMinZoom(minZoom);
  return changed;
}

// `redraw`: drop the current tiles (new surface or native zooms); otherwise only fetch tiles that
// became valid (a grown extent) and keep the rest on screen: a zero pan makes Leaflet fire
// `moveend`, on which every grid layer loads the tiles it is missing.
function showTileLayers(redraw) {
  let update = false;
  for (const name of LAYERS) {
    const layer = layers[name];
    if (state.server && state.surface && visible[name]) {
      if (!map.hasLayer(layer)) { layer.addTo(map); } else if (redraw) { layer.redraw(); } else { update = true; }
    } else if (map.hasLayer(layer)) { map.removeLayer(layer); }
  }
  if (update) { map.panBy([0, 0]); }
}

/** Live refresh without flicker: loads the new version off-screen, then swaps it in. */
export function refreshTile(msg) {
  if (msg.surface !== state.surface) { return; }
  const rel = tileRel(msg.layer, msg);
  if (msg.removed) { delete state.versions[rel]; } else { state.versions[rel] = msg.version; }
  // Only detail tiles widen the explored box (a coarse tile always spans more than it).
  if (!msg.removed && msg.z === DETAIL_ZOOM && (!state.extent || outsideExtent(msg, state.extent, DETAIL_ZOOM))) {
    scheduleSurfaceReload();
  }
  if (state.at !== null) { return; }  // viewing the past: the live versions wait for the return
  const layer = layers[msg.layer];
  const tile = layer && map.hasLayer(layer) ? onScreen.get(rel) : undefined;
  if (!tile) { return; }
  if (msg.removed) { tile.src = EMPTY_TILE; return; }
  swapTile(rel, tile, layer.getTileUrl({ x: msg.x, y: msg.y, z: msg.z }));
}

// Loads `url` off-screen, then shows it in `tile` if that is still on screen as `rel` (a missing
// tile, 404, shows nothing).
function swapTile(rel, tile, url) {
  const img = new Image();
  img.onload = () => {
    if (onScreen.get(rel) !== tile) { return; }  // scrolled away meanwhile
    tile.src = url;
    countLoaded();
  };
  img.onerror = () => { if (onScreen.get(rel) === tile) { tile.src = EMPTY_TILE; } };
  img.src = url;
}

/**
 * The viewed time (`state.at`) changed: every tile on screen swaps to its version of that moment
 * (or the live one) without flicker; tiles scrolled in later ask for it by their URL.
 */
export function retimeTiles() {
  for (const [rel, tile] of onScreen) {
    const [name, z, x, y] = rel.split('/');
    const layer = layers[name];
    if (!layer || !map.hasLayer(layer)) { continue; }
    const url = layer.getTileUrl({ x: Number(x), y: Number(y), z: Number(z) });
    if (tile.getAttribute('src') !== url) { swapTile(rel, tile, url); }
  }
}

let reloadTimer = null;
function scheduleSurfaceReload() {
  if (reloadTimer) { return; }
  reloadTimer = setTimeout(() => { reloadTimer = null; loadSurface(false, false); }, 2000);
}

/**
 * Loads the shown surface's extent and zoom levels and shows its tiles. `fit`: fit the whole
 * map; `reset`: a different surface is shown (tiles are redrawn).
 */
export async function loadSurface(fit, reset) {
  const { server, surface } = state;
  if (!server || !surface) { return; }
  try {
    const s = await api(`api/servers/${encodeURIComponent(server)}/surfaces/${encodeURIComponent(surface)}`);
    if (server !== state.server || surface !== state.surface) { return; }
    state.extent = s.extent;
    state.zooms = s.zooms || [];
    const changed = configureLayers();
    if (fit && s.extent) { map.fitBounds(extentBounds(s.extent), { animate: false }); }
    showTileLayers(changed || reset);
  } catch {
    state.extent = null;
    state.zooms = [];
    configureLayers();
    showTileLayers(reset);
  }
}
