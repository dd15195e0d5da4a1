// Pure logic of the time slider (no DOM, no Leaflet): slider position ↔ time, the marks on the
// slider, playback steps (also "skip idle": mark to mark), the `t=` part of the address hash,
// texts of the viewed moment and the map rectangles of changed regions. Unit-tested with node
// (scripts/check-js.sh, Tests/Web/timeline.test.js).

/** Slider positions: 0 = the oldest moment of the history window, `SLIDER_STEPS` = live. */
export const SLIDER_STEPS = 1000;
/** Game tiles per side of a z 0 tile (8×8 chunks of 32 tiles): the regions of "what changed". */
export const REGION_TILES = 256;
/** The trails window: the hour up to the viewed moment (or up to now when live). */
export const TRAIL_WINDOW_MS = 3600 * 1000;

/**
 * Playback speeds by name: `rate` = viewed milliseconds per real millisecond; `idle` jumps from
 * mark to mark (one mark per step), skipping the idle time between them.
 */
export const SPEEDS = {
  '1m': { label: '1 min/s', rate: 60 },
  '10m': { label: '10 min/s', rate: 600 },
  '1h': { label: '1 h/s', rate: 3600 },
  idle: { label: 'skip idle', rate: null },
};

/**
 * The slider's window `{ from, to }` (unix ms) of a `/history` answer: from the oldest stored
 * version (never before the retention cut) to now; null when there is no history yet.
 * `now` is the page's estimate of the gateway's clock.
 */
export function historyWindow(h, now) {
  if (!h || h.oldest === null || h.oldest === undefined) { return null; }
  const cut = now - (h.retentionMs || Infinity);
  const from = Math.max(h.oldest, Number.isFinite(cut) ? cut : h.oldest);
  return from < now ? { from, to: now } : null;
}

/** The viewed time at slider position `pos` (0…SLIDER_STEPS) in window `w`; null = live. */
export function sliderToTime(pos, w) {
  if (!w || pos >= SLIDER_STEPS) { return null; }
  const p = Math.max(0, pos);
  return Math.round(w.from + ((w.to - w.from) * p) / SLIDER_STEPS);
}

/** The slider position of viewed time `at` (null = live) in window `w`, clamped to the slider. */
export function timeToSlider(at, w) {
  if (at === null || !w || at >= w.to) { return SLIDER_STEPS; }
  if (at <= w.from) { return 0; }
  // Never the live position for a moment in the past (that position means live).
  return Math.min(SLIDER_STEPS - 1, Math.round(((at - w.from) * SLIDER_STEPS) / (w.to - w.from)));
}

/** The marks inside window `w` as fractions 0…1 of the slider's width, deduplicated, ascending. */
export function markFractions(marks, w) {
  if (!w) { return []; }
  const out = [];
  for (const m of marks || []) {
    if (m < w.from || m > w.to) { continue; }
    const f = Math.round(((m - w.from) / (w.to - w.from)) * 1000) / 1000;
    if (out[out.length - 1] !== f) { out.push(f); }
  }
  return out;
}

/**
 * The next viewed time of a playback from `at` after `elapsedMs` real milliseconds at `speed`
 * (a key of SPEEDS), or null when the playback reaches live (`now`). Skip idle: the first mark
 * after `at` (null after the last one).
 */
export function playStep(at, speed, elapsedMs, marks, now) {
  const s = SPEEDS[speed];
  if (!s) { throw new Error(`unknown playback speed "${speed}"`); }
  if (at === null) { return null; }
  let next;
  if (s.rate === null) {
    next = (marks || []).find((m) => m > at);
    if (next === undefined) { return null; }
  } else {
    next = at + Math.max(1, Math.round(s.rate * elapsedMs));
  }
  return next >= now ? null : next;
}

/** The start of a playback begun at viewed time `at`: live plays from the window's start. */
export function playStart(at, w) {
  if (at !== null) { return at; }
  return w ? w.from : null;
}

/** The trails window `{ from, to }` for viewed time `at` (null = live: the last hour up to `now`). */
export function trailWindow(at, now) {
  const to = at === null ? now : at;
  return { from: to - TRAIL_WINDOW_MS, to };
}

/** The viewed time of an address hash: its `t=<unix ms>` segment; null (live) without one. */
export function timeFromHash(hash) {
  for (const part of hash.replace(/^#/, '').split('/')) {
    const m = /^t=(\d{1,15})$/.exec(part);
    if (m) { return Number(m[1]); }
  }
  return null;
}

/** `hash` (`#server/surface/x/y/zoom`) with viewed time `at`: a `/t=<ms>` segment, none when live. */
export function hashWithTime(hash, at) {
  const kept = hash.replace(/^#/, '').split('/').filter((p) => !/^t=/.test(p)).join('/');
  return `#${kept}${at === null ? '' : `/t=${Math.round(at)}`}`;
}

const UNITS = [
  ['day', 86400000], ['h', 3600000], ['min', 60000], ['s', 1000],
];

/** "3 days ago", "2 h ago", "5 min ago", "just now" for `at` seen at `now` (unix ms). */
export function relativeText(at, now) {
  const d = now - at;
  if (d < 1000) { return 'just now'; }
  for (const [unit, ms] of UNITS) {
    if (d >= ms) {
      const n = Math.floor(d / ms);
      return `${n} ${unit === 'day' && n !== 1 ? 'days' : unit} ago`;
    }
  }
  return 'just now';
}

/**
 * The state line: "Live", or "Viewing <relative> (<absolute local time>)". `local` formats a
 * unix ms as local time (the page passes `Date#toLocaleString`; tests a fixed format).
 */
export function viewingText(at, now, local) {
  if (at === null) { return 'Live'; }
  return `Viewing ${relativeText(at, now)} (${local(at)})`;
}

/** The game-tile box `{ minX, minY, maxX, maxY }` of changed z 0 region `[x, y]`. */
export function regionBox([x, y]) {
  return { minX: x * REGION_TILES, minY: y * REGION_TILES, maxX: (x + 1) * REGION_TILES, maxY: (y + 1) * REGION_TILES };
}

/** The `/history/changes` path (relative to the page) between two moments, earlier first. */
export function changesPath(server, surface, a, b) {
  const from = Math.min(a, b), to = Math.max(a, b);
  return `api/servers/${encodeURIComponent(server)}/history/changes?surface=${encodeURIComponent(surface)}`
    + `&from=${from}&to=${to}`;
}

/** The `?at=` query of a past tile's URL: `url` (maybe with `?v=`) shown at `at` (null: unchanged). */
export function tileAtURL(url, at) {
  if (at === null) { return url; }
  return `${url.replace(/\?.*$/, '')}?at=${Math.round(at)}`;
}

/** The trails API path of a surface for the window `{ from, to }` (unix ms). */
export function trailsPath(server, surface, w) {
  return `api/servers/${encodeURIComponent(server)}/surfaces/${encodeURIComponent(surface)}`
    + `/trails?from=${Math.floor(w.from)}&to=${Math.floor(w.to)}`;
}

/** A trail colour `[r, g, b, a]` (0…1) as CSS; grey for anything else. */
export function trailColor(c) {
  if (!Array.isArray(c) || c.length < 3 || !c.slice(0, 3).every((v) => Number.isFinite(v))) { return 'rgb(128,128,128)'; }
  const [r, g, b] = c.slice(0, 3).map((v) => Math.round(Math.max(0, Math.min(1, v)) * 255));
  return `rgb(${r},${g},${b})`;
}

/** The game positions `[[x, y]…]` of each segment of a trails answer's player (`[[t, x, y]…]`). */
export function trailLines(player) {
  const segments = Array.isArray(player && player.segments) ? player.segments : [];
  return segments
    .map((s) => (Array.isArray(s) ? s : []).filter((p) => Array.isArray(p) && p.length >= 3).map((p) => [p[1], p[2]]))
    .filter((s) => s.length > 0);
}
