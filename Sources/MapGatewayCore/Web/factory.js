// The factory layers: "Map tags" (icon name and text), "Train stops" (names) and "Trains"
// (markers that glide between samples and point where the train goes; click for details), of
// the shown surface, kept live from the WebSocket's snapshot and updates (`docs/gateway.md`).
// Every text from the game is a DOM text node: labels and popups get elements, never HTML.
import { element, setData } from './dom.js';
import { glideMillis, onSurface, tagLabel, trainHeading, trainLines, trainPosition, unwrapDegrees } from './factorymodel.js';
import { glide, stopGlide } from './glide.js';
import { L, layerControl, map, toLatLng } from './map.js';
import { applyPlatformMessage, renderPlatforms, resetPlatforms } from './platforms.js';
import { events, state } from './state.js';

/** The factory objects of the shown server (every surface) by key. */
export const factory = { tags: {}, stations: {}, trains: {} };

/** The layers, in the layer control, shown by default. */
export const tagLayer = L.layerGroup().addTo(map);
export const stationLayer = L.layerGroup().addTo(map);
export const trainLayer = L.layerGroup().addTo(map);
layerControl.addOverlay(tagLayer, 'Map tags');
layerControl.addOverlay(stationLayer, 'Train stops');
layerControl.addOverlay(trainLayer, 'Trains');

/** The markers on the map by kind (`tags`, `stations`, `trains`) and key; each `{marker, …}`. */
export const markers = { tags: new Map(), stations: new Map(), trains: new Map() };
const layerOf = { tags: tagLayer, stations: stationLayer, trains: trainLayer };

function remove(kind, key) {
  const m = markers[kind].get(key);
  if (!m) { return; }
  stopGlide(m);
  layerOf[kind].removeLayer(m.marker);
  markers[kind].delete(key);
}

// The marker's element carries its kind, key and game position (tests read them).
function mark(m, kind, key, x, y) {
  const el = m.marker.getElement();
  if (!el) { return; }
  el.dataset[kind] = String(key);
  el.dataset.x = String(x);
  el.dataset.y = String(y);
}

/** A marker with a DOM icon of class `cls` and a permanent label (a text node) of class `labelClass`. */
function labelled(latLng, cls, labelText, labelClass) {
  const label = element('span', labelText);
  const marker = L.marker(latLng, {
    icon: L.divIcon({ html: element('div'), className: cls, iconSize: [12, 12] }), keyboard: false,
  }).bindTooltip(label, { permanent: true, direction: 'right', offset: [6, 0], className: `factory-label ${labelClass}` });
  return { marker, label };
}

function setLabel(m, s) {
  if (m.label.textContent !== s) {
    m.label.textContent = s;
    m.marker.setTooltipContent(m.label);
  }
}

function showTag(t) {
  if (t.surface !== state.surface) { remove('tags', t.tag); return; }
  let m = markers.tags.get(t.tag);
  const ll = toLatLng(t.x, t.y);
  if (!m) {
    m = labelled(ll, 'tag-icon', tagLabel(t), 'tag-label');
    markers.tags.set(t.tag, m);
    tagLayer.addLayer(m.marker);
  } else {
    m.marker.setLatLng(ll);
    setLabel(m, tagLabel(t));
  }
  mark(m, 'tag', t.tag, t.x, t.y);
  const el = m.marker.getElement();
  if (el) { el.title = t.lastUser ? `last edited by ${t.lastUser}` : ''; }
}

function showStation(s) {
  if (s.surface !== state.surface) { remove('stations', s.unit); return; }
  let m = markers.stations.get(s.unit);
  const ll = toLatLng(s.x, s.y);
  if (!m) {
    m = labelled(ll, 'station-icon', s.name, 'station-label');
    markers.stations.set(s.unit, m);
    stationLayer.addLayer(m.marker);
  } else {
    m.marker.setLatLng(ll);
    setLabel(m, s.name);
  }
  mark(m, 'station', s.unit, s.x, s.y);
}

function fillPopup(m, t) {
  m.details.textContent = '';
  for (const line of trainLines(t)) { m.details.appendChild(element('div', line)); }
}

function showTrain(t) {
  const pos = t.surface === state.surface ? trainPosition(t) : null;
  if (!pos) { remove('trains', t.id); return; }
  let m = markers.trains.get(t.id);
  const ll = toLatLng(pos.x, pos.y);
  const now = performance.now();
  if (!m) {
    const arrow = element('div', '', 'train-arrow');
    const icon = element('div', '', 'train-body');
    icon.appendChild(arrow);
    const details = element('div', '', 'train-details');
    const marker = L.marker(ll, {
      icon: L.divIcon({ html: icon, className: 'train-icon', iconSize: [22, 22], popupAnchor: [0, -10] }), keyboard: false,
    }).bindPopup(details, { className: 'train-popup' });
    m = { marker, arrow, details, pos, deg: null, lastUpdate: now, frame: null };
    markers.trains.set(t.id, m);
    trainLayer.addLayer(marker);
  } else {
    glide(m, m.marker, ll, glideMillis(now - m.lastUpdate), null);
    m.lastUpdate = now;
  }
  const heading = trainHeading(t, m.pos);
  m.pos = pos;
  if (heading !== null) {
    m.deg = unwrapDegrees(m.deg, heading);
    m.arrow.style.transform = `rotate(${m.deg}deg)`;
  }
  m.arrow.classList.toggle('stopped', !t.speed);
  fillPopup(m, t);
  mark(m, 'train', t.id, pos.x, pos.y);
}

const showers = { tags: showTag, stations: showStation, trains: showTrain };
const keyOf = { tags: (t) => t.tag, stations: (s) => s.unit, trains: (t) => t.id };

/** Shows the markers of the shown surface again (after a surface or server change). */
export function renderFactory() {
  for (const kind of Object.keys(markers)) {
    for (const key of Array.from(markers[kind].keys())) { remove(kind, key); }
    for (const o of onSurface(factory[kind], state.surface)) { showers[kind](o); }
  }
  renderCounts();
}

function upsert(kind, o) {
  factory[kind][keyOf[kind](o)] = o;
  showers[kind](o);
}

function drop(kind, key) {
  delete factory[kind][key];
  remove(kind, key);
}

/** Applies a live message (snapshot, factory updates, surface deletions); others are ignored. */
export function applyFactoryMessage(msg) {
  switch (msg.type) {
    case 'snapshot':
      for (const kind of Object.keys(factory)) {
        factory[kind] = {};
        for (const o of msg[kind] || []) { factory[kind][keyOf[kind](o)] = o; }
      }
      renderFactory();
      break;
    case 'tag': upsert('tags', msg); break;
    case 'tags_removed': for (const n of msg.tags) { drop('tags', n); } break;
    case 'station': upsert('stations', msg); break;
    case 'station_removed': drop('stations', msg.unit); break;
    case 'trains': for (const t of msg.trains) { upsert('trains', t); } break;
    case 'train_removed': drop('trains', msg.id); break;
    case 'surface':
      if (msg.deleted) {
        for (const kind of Object.keys(factory)) {
          for (const o of onSurface(factory[kind], msg.name)) { drop(kind, keyOf[kind](o)); }
        }
      }
      break;
    default:
      break;
  }
  applyPlatformMessage(msg);
  renderCounts();
}

// The counts of markers shown, as `<body data-tags data-stations data-trains>` (tests read them).
function renderCounts() {
  for (const kind of Object.keys(markers)) { setData(kind, markers[kind].size); }
}

// Far out the labels would cover the map: they show from zoom 0 (1 px per tile) on.
function labelsByZoom() {
  map.getContainer().classList.toggle('labels-far', map.getZoom() < 0);
}
map.on('zoomend', labelsByZoom);
labelsByZoom();

events.addEventListener('surfacechange', () => { renderFactory(); renderPlatforms(); });
events.addEventListener('serverchange', () => {
  for (const kind of Object.keys(factory)) { factory[kind] = {}; }
  renderFactory();
  resetPlatforms();
});
