// The time bar at the bottom of the map: a slider over the history window (right end = live)
// with the surface's marks, "Live" / "Viewing 3 days ago (…)", play / pause at chosen speeds
// (also skipping idle time), "compare with…" (the regions that changed between two moments as
// rectangles) and the viewed-time listeners other layers subscribe to (`onViewedTime`, e.g. the
// player trails). The viewed time is `state.at` and the hash's `t=`; the logic is in timeline.js.
import { $, api, element, notice, setData, text } from './dom.js';
import { L, map, retimeTiles, toLatLng } from './map.js';
import { writeHash } from './servers.js';
import { events, emit, state } from './state.js';
import {
  SLIDER_STEPS, SPEEDS, changesPath, historyWindow, markFractions, playStart, playStep, regionBox,
  sliderToTime, timeToSlider, trailWindow, viewingText,
} from './timeline.js';

/** How often the history window and marks are reloaded while a surface is shown. */
const HISTORY_REFRESH_MS = 60000;
/** Real milliseconds between two playback steps (skip idle: between two marks). */
const PLAY_TICK_MS = { rate: 250, idle: 600 };

/** The last `/history` answer of the shown surface, the gateway's clock offset, playback, compare. */
const bar = { history: null, offset: 0, playing: null, compareFrom: null, changesSeq: 0 };
/** The "what changed" rectangles. */
const changesLayer = L.layerGroup().addTo(map);
/** Listeners of the viewed time (`onViewedTime`). */
const listeners = [];

/** The gateway's clock as the page estimates it (unix ms). */
const now = () => Date.now() + bar.offset;
const local = (ms) => new Date(ms).toLocaleString();
const currentWindow = () => historyWindow(bar.history, now());

/**
 * Subscribes `fn` to the viewed time: called with `{ at, from, to }` (`at` null = live; `from`…
 * `to` the trails window, the hour up to the viewed moment) now and whenever it changes.
 */
export function onViewedTime(fn) {
  listeners.push(fn);
  fn(viewedWindow());
}

/** The viewed moment and the trails window `{ at, from, to }` (see `onViewedTime`). */
export function viewedWindow() {
  return { at: state.at, ...trailWindow(state.at, now()) };
}

/** Views moment `at` (unix ms; null = live) and writes it into the address hash. */
export function setViewedTime(at) {
  if (at === state.at) { return; }
  state.at = at;
  emit('timechange');
  writeHash();
}

function render() {
  const w = currentWindow();
  const slider = $('tb-slider');
  slider.disabled = !w;
  slider.value = String(timeToSlider(state.at, w));
  text($('tb-state'), w || state.at !== null ? viewingText(state.at, now(), local) : 'Live (no history yet)');
  $('timebar').classList.toggle('past', state.at !== null);
  $('tb-live').hidden = state.at === null;
  text($('tb-play'), bar.playing ? '❚❚' : '▶');
  $('tb-play').disabled = !w;
  setData('time', state.at === null ? 'live' : state.at);
}

function renderMarks() {
  const box = $('tb-marks');
  box.textContent = '';
  const fractions = markFractions(bar.history ? bar.history.marks : [], currentWindow());
  for (const f of fractions) {
    const m = element('span', '', 'tb-mark');
    m.style.left = `${(f * 100).toFixed(1)}%`;
    box.appendChild(m);
  }
  setData('historyMarks', fractions.length);
}

async function loadHistory() {
  const { server, surface } = state;
  if (!server || !surface) { return; }
  try {
    const h = await api(`api/servers/${encodeURIComponent(server)}/history?surface=${encodeURIComponent(surface)}`);
    if (server !== state.server || surface !== state.surface) { return; }
    bar.history = h;
    bar.offset = Number.isFinite(h.now) ? h.now - Date.now() : 0;
    setData('history', h.oldest === null ? 'empty' : 'ready');
  } catch {
    bar.history = null;
    setData('history', 'none');
  }
  renderMarks();
  render();
}

// ---- playback -----------------------------------------------------------------------------------
function stopPlaying() {
  clearInterval(bar.playing);
  bar.playing = null;
  render();
}

function startPlaying() {
  const speed = $('tb-speed').value;
  const idle = SPEEDS[speed].rate === null;
  const tick = idle ? PLAY_TICK_MS.idle : PLAY_TICK_MS.rate;
  const from = playStart(state.at, currentWindow());
  if (from === null) { return; }
  setViewedTime(from);
  bar.playing = setInterval(() => {
    const marks = bar.history ? bar.history.marks : [];
    const next = playStep(state.at, $('tb-speed').value, tick, marks, now());
    if (next === null) { stopPlaying(); }
    setViewedTime(next);
  }, tick);
  render();
}

// ---- what changed -------------------------------------------------------------------------------
async function showChanges() {
  changesLayer.clearLayers();
  if (bar.compareFrom === null || !state.server || !state.surface) { setData('changes', ''); return; }
  const to = state.at === null ? now() : state.at;
  const seq = ++bar.changesSeq;
  try {
    const c = await api(changesPath(state.server, state.surface, bar.compareFrom, to));
    if (seq !== bar.changesSeq) { return; }
    for (const region of c.tiles) {
      const b = regionBox(region);
      L.rectangle(L.latLngBounds(toLatLng(b.minX, b.maxY), toLatLng(b.maxX, b.minY)), {
        color: '#f0b050', weight: 2, fillOpacity: 0.15, interactive: false, className: 'changed-region',
      }).addTo(changesLayer);
    }
    text($('tb-compare-info'), `${c.tiles.length}${c.truncated ? '+' : ''} regions changed between`
      + ` ${local(Math.min(bar.compareFrom, to))} and ${local(Math.max(bar.compareFrom, to))}`);
    setData('changes', c.tiles.length);
  } catch (err) {
    if (seq === bar.changesSeq) { notice(`cannot load what changed (${err.message})`); }
  }
}

function toggleCompare() {
  bar.compareFrom = bar.compareFrom === null ? (state.at === null ? now() : state.at) : null;
  text($('tb-compare'), bar.compareFrom === null ? 'Compare with…' : 'Stop comparing');
  const info = $('tb-compare-info');
  info.hidden = bar.compareFrom === null;
  text(info, `comparing with ${bar.compareFrom === null ? '' : local(bar.compareFrom)}: move the slider`);
  showChanges();
}

// ---- wiring -------------------------------------------------------------------------------------
for (const [key, s] of Object.entries(SPEEDS)) {
  const opt = element('option', s.label);
  opt.value = key;
  $('tb-speed').appendChild(opt);
}
$('tb-slider').max = String(SLIDER_STEPS);
// While dragging only the text follows; the map follows when the slider is let go.
$('tb-slider').oninput = (e) => {
  const at = sliderToTime(Number(e.target.value), currentWindow());
  text($('tb-state'), viewingText(at, now(), local));
};
$('tb-slider').onchange = (e) => {
  if (bar.playing) { stopPlaying(); }
  setViewedTime(sliderToTime(Number(e.target.value), currentWindow()));
};
$('tb-play').onclick = () => (bar.playing ? stopPlaying() : startPlaying());
$('tb-live').onclick = () => {
  if (bar.playing) { stopPlaying(); }
  setViewedTime(null);
};
$('tb-compare').onclick = toggleCompare;

events.addEventListener('timechange', () => {
  render();
  retimeTiles();
  if (bar.compareFrom !== null && !bar.playing) { showChanges(); }
  const w = viewedWindow();
  for (const fn of listeners) { fn(w); }
});
events.addEventListener('surfacechange', () => {
  $('timebar').hidden = false;
  document.body.classList.add('has-timebar');
  bar.history = null;
  if (bar.compareFrom !== null) { toggleCompare(); }
  loadHistory();
});
setInterval(loadHistory, HISTORY_REFRESH_MS);
setInterval(render, 10000);  // "5 min ago" ages
render();
