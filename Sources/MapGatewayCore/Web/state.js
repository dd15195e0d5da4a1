// The page's shared state and the events its modules exchange.

/** Map layers, bottom to top. */
export const LAYERS = ['terrain', 'resources', 'buildings'];
/** The zoom level of detail tiles (8 px per game tile: one Leaflet tile is one chunk). */
export const DETAIL_ZOOM = 3;
export const MIN_TILE_ZOOM = -13;
export const MAX_ZOOM = 6;

/**
 * What is shown: server, surface, its extent and rendered zoom levels, tile versions, and the
 * viewed time `at` (unix ms; null = live).
 */
export const state = {
  servers: [], server: null, surface: null, surfaces: {}, extent: null, zooms: [],
  tilesLoaded: 0, tilesFailed: 0, versions: {}, viewFromHash: false,
  at: null,
};

/** Live data: the WebSocket, players and their markers (by index), chat, status, follow. */
export const live = {
  ws: null, attempt: 0, timer: null, watchdog: null, players: {}, markers: {}, chat: [],
  status: null, follow: null,
};

/**
 * Page events: `serverchange` (a different server is shown), `surfacechange` (a different
 * surface is shown), `live` (a WebSocket message of the shown server, as `detail`, before
 * live.js applies it), `timechange` (the viewed time `state.at` changed: the time bar, the tile
 * layers and the trails follow it).
 */
export const events = new EventTarget();

/** Dispatches the page event `name`. */
export function emit(name) {
  events.dispatchEvent(new Event(name));
}
