// Pure functions of the page (no DOM, no Leaflet): URLs, the address hash, texts, backoff.
// Unit-tested with node (scripts/check-js.sh).

/** "layer/z/x/y": a tile's key in `state.versions`. */
export function tileRel(layer, c) {
  return `${layer}/${c.z}/${c.x}/${c.y}`;
}

/** The tile URL (relative to the page) of `layer` at `c` for `server`/`surface`, with its version. */
export function tileURL(server, surface, layer, c, versions) {
  const rel = tileRel(layer, c);
  const url = `tiles/${encodeURIComponent(server)}/${encodeURIComponent(surface)}/${rel}.png`;
  const v = versions[rel];
  return v ? `${url}?v=${v}` : url;
}

/** Whether tile `m` (at zoom `m.z`) reaches outside `extent` (chunk bounds), at `detailZoom`. */
export function outsideExtent(m, extent, detailZoom) {
  const n = 2 ** (detailZoom - m.z);
  return m.x * n < extent.minChunkX || m.y * n < extent.minChunkY || (m.x + 1) * n - 1 > extent.maxChunkX ||
    (m.y + 1) * n - 1 > extent.maxChunkY;
}

/** The address hash `#server/surface/x/y/zoom`. */
export function formatHash(server, surface, x, y, zoom) {
  return `#${encodeURIComponent(server)}/${encodeURIComponent(surface || '')}/${Math.round(x)}/${Math.round(y)}/${zoom}`;
}

/** Parses `#server/surface[/x/y/zoom]`; null without a server. `x`, `y`, `zoom` may be NaN. */
export function parseHash(hash) {
  const parts = hash.replace(/^#/, '').split('/');
  if (parts.length < 2 || !parts[0]) { return null; }
  try {
    return {
      server: decodeURIComponent(parts[0]),
      surface: decodeURIComponent(parts[1]) || null,
      x: parseFloat(parts[2]), y: parseFloat(parts[3]), zoom: parseInt(parts[4], 10),
    };
  } catch {
    return null;  // a malformed escape
  }
}

/** A surface's label in the picker: its name, planet and platform. */
export function surfaceLabel(name, s) {
  return name + (s.planet && s.planet !== name ? ` (${s.planet})` : '') + (s.platform ? ` (platform ${s.platform})` : '');
}

const NOTICE = { join: ' joined', leave: ' left', kick: ' was kicked', ban: ' was banned' };

/** The chat line of a `notice` message, or null for kinds the page does not show. */
export function noticeLine(m) {
  if (NOTICE[m.kind]) { return (m.player || '?') + NOTICE[m.kind] + (m.message ? ` (${m.message})` : ''); }
  if (m.kind === 'saving') { return 'server is saving the map'; }
  if (m.kind === 'sequence_gap') { return `${m.missing || '?'} updates were lost; the map heals itself`; }
  return null;
}

/** "updated 5 s ago" / "updated 3 min ago" for an age in seconds; '' when unknown. */
export function ageText(age) {
  if (age === null) { return ''; }
  return `updated ${age < 60 ? `${age} s` : `${Math.round(age / 60)} min`} ago`;
}

/** Reconnect delay after `attempt` failures: 0.5 s, 1 s, 2 s … 30 s, times `jitter` (0.75…1.25). */
export function backoffMillis(attempt, jitter) {
  return Math.min(30000, 500 * 2 ** attempt) * jitter;
}
