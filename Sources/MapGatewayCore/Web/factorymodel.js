// Pure functions of the factory layers and the platform panel (no DOM, no Leaflet): gliding,
// headings, labels and the texts of trains and platforms. Unit-tested with node
// (Tests/Web/factorymodel.test.js, scripts/check-js.sh). Positions are game positions (x east,
// y south); headings are degrees clockwise from north, as the game's orientation (0 = north,
// 0.25 = east) times 360.

/** How long a marker glides to a new sample: the time since the previous one (`elapsed`, ms),
 *  clamped to `min` … `max` (so a 1 s sample interval looks like continuous movement and a long
 *  pause does not crawl); 1 s when unknown. */
export function glideMillis(elapsed, min = 100, max = 2000) {
  if (!Number.isFinite(elapsed)) { return Math.max(min, Math.min(max, 1000)); }
  return Math.max(min, Math.min(max, elapsed));
}

/** The value `k` (0…1, clamped) of the way from `a` to `b`. */
export function lerp(a, b, k) {
  return a + (b - a) * Math.max(0, Math.min(1, k));
}

/** Degrees clockwise from north of the direction from `a` to `b` (0…360), null when they coincide. */
export function bearing(a, b) {
  const dx = b.x - a.x, dy = b.y - a.y;
  if (Math.hypot(dx, dy) < 1e-9) { return null; }
  return normalizeDegrees(Math.atan2(dx, -dy) * 180 / Math.PI);
}

/** `deg` in 0…360. */
export function normalizeDegrees(deg) {
  return ((deg % 360) + 360) % 360;
}

/** `next` plus a multiple of 360 so it is within 180° of `prev`: a rotation by CSS transition
 *  then turns the short way (350° → 10° turns 20°, not 340°). */
export function unwrapDegrees(prev, next) {
  if (!Number.isFinite(prev)) { return next; }
  return next + Math.round((prev - next) / 360) * 360;
}

/** A train's position: the middle of its carriages (null without any). */
export function trainPosition(train) {
  const cs = train.carriages || [];
  if (!cs.length) { return null; }
  let x = 0, y = 0;
  for (const c of cs) { x += c.x; y += c.y; }
  return { x: x / cs.length, y: y / cs.length };
}

/**
 * Where a train goes, in degrees: from `prev` (its previous position) to its position when it
 * moved more than half a tile; else from its back carriage to its front one (reversed when the
 * speed is negative: it runs towards its back end); else (one carriage) the front carriage's
 * orientation, reversed likewise. Null without carriages.
 */
export function trainHeading(train, prev) {
  const pos = trainPosition(train);
  if (!pos) { return null; }
  if (prev && Math.hypot(pos.x - prev.x, pos.y - prev.y) > 0.5) { return bearing(prev, pos); }
  const cs = train.carriages;
  const back = train.speed < 0 ? 180 : 0;
  const along = cs.length > 1 ? bearing(cs[cs.length - 1], cs[0]) : null;
  const deg = along !== null ? along : cs[0].orientation * 360;
  return normalizeDegrees(deg + back);
}

/** A game name as words: "wait_station" → "wait station". */
export function words(name) {
  return String(name || '').replace(/[_-]+/g, ' ').trim();
}

/** A train's speed (tiles per tick; 1 tile = 1 m, 60 ticks/s) as "108 km/h", "reversing" when negative. */
export function trainSpeedText(speed) {
  const kmh = Math.round(Math.abs(speed || 0) * 60 * 3.6);
  return speed < 0 ? `${kmh} km/h reversing` : `${kmh} km/h`;
}

/** The lines of a train's details: state, speed, where it is/goes, mode. */
export function trainLines(train) {
  const lines = [
    `Train ${train.id}`,
    `state: ${words(train.state)}`,
    `speed: ${trainSpeedText(train.speed)}`,
  ];
  if (train.stop) { lines.push(`at: ${train.stop}`); }
  if (train.nextStop && train.nextStop !== train.stop) { lines.push(`to: ${train.nextStop}`); }
  if (!train.stop && !train.nextStop) { lines.push('no destination'); }
  lines.push(train.manual ? 'manual' : 'automatic');
  return lines;
}

/** A chart tag's label: its icon's name and its text ("iron-plate · Iron outpost"). */
export function tagLabel(tag) {
  const icon = tag.icon && tag.icon.name ? tag.icon.name : '';
  const text = tag.text || '';
  if (icon && text) { return `${icon} · ${text}`; }
  return icon || text || 'tag';
}

/** A platform's progress along its connection as a whole percentage 0…100 (null when not travelling). */
export function progressPercent(platform) {
  const p = platform.progress;
  if (!Number.isFinite(p) || !platform.from || !platform.to) { return null; }
  return Math.round(Math.max(0, Math.min(1, p)) * 100);
}

/** Where a platform is: "at nauvis", "nauvis → vulcanus · 42 %", or '' when unknown. */
export function platformWhere(platform) {
  if (platform.location) { return `at ${platform.location}`; }
  if (platform.from && platform.to) {
    const pct = progressPercent(platform);
    return `${platform.from} → ${platform.to}${pct === null ? '' : ` · ${pct} %`}`;
  }
  return '';
}

/** A platform's state and speed ("on the path · 18 km/s"; the speed, per tick, times 60). */
export function platformStatus(platform) {
  const speed = Math.abs(platform.speed || 0) * 60;
  const s = speed > 0 ? ` · ${speed < 10 ? speed.toFixed(1) : Math.round(speed)} km/s` : '';
  return `${words(platform.state)}${s}`;
}

/** The objects of `byKey` (an object of objects) on `surface`. */
export function onSurface(byKey, surface) {
  return Object.values(byKey).filter((o) => o.surface === surface);
}
