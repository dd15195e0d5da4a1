// Players: markers that glide between updates, their name labels, the player list and follow.
import { $, element, setData, text } from './dom.js';
import { glideMillis } from './factorymodel.js';
import { glide, stopGlide } from './glide.js';
import { L, map, playerLayer, toLatLng } from './map.js';
import { live, state } from './state.js';
import { selectSurface } from './servers.js';

/** Per marker (by player index): its label node, last update time and running animation. */
const extra = new Map();

// A marker glides to each new position over the time the previous update took to come
// (clamped), so 4 Hz updates look like continuous movement.
function glideTo(index, marker, target, now) {
  const x = extra.get(index);
  const duration = glideMillis(now - x.lastUpdate, 80, 1000);
  x.lastUpdate = now;
  glide(x, marker, target, duration, (ll) => {
    if (live.follow === index) { map.panTo(ll, { animate: false }); }
  });
}

// The marker's SVG element carries the player's name and position (tests read them).
function tag(marker, p) {
  const el = marker.getElement();
  if (!el) { return; }
  el.setAttribute('data-player', p.name);
  el.setAttribute('data-x', String(p.x));
  el.setAttribute('data-y', String(p.y));
}

function removeMarker(index) {
  stopGlide(extra.get(index));
  extra.delete(index);
  playerLayer.removeLayer(live.markers[index]);
  delete live.markers[index];
}

function updateMarker(p) {
  let marker = live.markers[p.index];
  if (!(p.online && p.surface === state.surface)) {
    if (marker) { removeMarker(p.index); }
    if (live.follow === p.index && !p.online) { stopFollow(); }
    return;
  }
  const target = toLatLng(p.x, p.y);
  if (!marker) {
    // The label is a DOM node: Leaflet would set a string tooltip as HTML.
    const label = element('span', p.name);
    marker = L.circleMarker(target, {
      radius: 7, color: '#000', weight: 2, fillColor: p.color, fillOpacity: 1, className: 'player-marker',
    }).bindTooltip(label, { permanent: true, direction: 'top', offset: [0, -8], className: 'player-label' });
    extra.set(p.index, { label, lastUpdate: performance.now(), frame: null });
    marker.on('click', () => follow(p.index));
    playerLayer.addLayer(marker);
    live.markers[p.index] = marker;
  } else {
    marker.setStyle({ fillColor: p.color });
    const { label } = extra.get(p.index);
    if (label.textContent !== p.name) {
      label.textContent = p.name;
      marker.setTooltipContent(label);
    }
    glideTo(p.index, marker, target, performance.now());
  }
  tag(marker, p);
}

/** Updates every marker and the list of online players from `live.players`. */
export function renderPlayers() {
  for (const i of Object.keys(live.markers)) {
    if (!live.players[i]) { removeMarker(Number(i)); }
  }
  const online = [];
  for (const p of Object.values(live.players)) {
    updateMarker(p);
    if (p.online) { online.push(p); }
  }
  online.sort((a, b) => a.name.localeCompare(b.name));
  const list = $('player-list');
  list.textContent = '';
  for (const p of online) {
    const li = document.createElement('li');
    const sw = element('span', '', 'swatch');
    sw.style.background = p.color;
    li.append(sw, (p.name + (p.surface !== state.surface ? ` (${p.surface})` : '') + (p.afk ? ' · afk' : '')));
    li.title = `follow · ${Math.floor(p.x)}, ${Math.floor(p.y)}`;
    li.onclick = () => follow(p.index);
    list.appendChild(li);
  }
  text($('player-count'), String(online.length));
  setData('players', Object.keys(live.markers).length);
}

function follow(index) {
  const p = live.players[index];
  if (!p) { return; }
  if (p.surface !== state.surface) { selectSurface(p.surface, true); }
  live.follow = index;
  map.setView(toLatLng(p.x, p.y), Math.max(map.getZoom(), 3), { animate: false });
  text($('follow-name'), p.name);
  $('follow').hidden = false;
}

/** Stops following a player. */
export function stopFollow() {
  live.follow = null;
  $('follow').hidden = true;
}
$('follow-stop').onclick = (e) => { e.preventDefault(); stopFollow(); };
map.on('dragstart', stopFollow);
