// The space platform panel: each platform of the shown server, where it is (the space location
// it is at, or the two ends of the connection it travels with a progress bar), its state and
// speed; clicking one shows the platform's surface. Hidden when the server has no platform.
// Names from the game are text nodes.
import { $, element, setData } from './dom.js';
import { platformStatus, platformWhere, progressPercent } from './factorymodel.js';
import { selectSurface } from './servers.js';
import { state } from './state.js';

/** The platforms of the shown server by index. */
export const platforms = {};

function item(p) {
  const li = element('li', '', p.surface === state.surface ? 'platform current' : 'platform');
  li.dataset.surface = p.surface;
  li.title = `show ${p.surface}`;
  li.appendChild(element('div', p.name, 'platform-name'));
  li.appendChild(element('div', platformWhere(p), 'platform-where'));
  const pct = progressPercent(p);
  if (pct !== null) {
    const bar = element('div', '', 'bar');
    const fill = element('div', '', 'fill');
    fill.style.width = `${pct}%`;
    bar.appendChild(fill);
    li.appendChild(bar);
  }
  li.appendChild(element('div', platformStatus(p), 'muted'));
  li.onclick = () => selectSurface(p.surface);
  return li;
}

/** Fills the panel from `platforms` (by name, then index); hides it when there are none. */
export function renderPlatforms() {
  const list = $('platform-list');
  list.textContent = '';
  const all = Object.values(platforms).sort((a, b) => a.name.localeCompare(b.name) || a.index - b.index);
  for (const p of all) { list.appendChild(item(p)); }
  $('platforms').hidden = all.length === 0;
  setData('platforms', all.length);
}

/** Applies a live message: the snapshot's `platforms`, `platform`, `platform_removed`. */
export function applyPlatformMessage(msg) {
  switch (msg.type) {
    case 'snapshot':
      for (const k of Object.keys(platforms)) { delete platforms[k]; }
      for (const p of msg.platforms || []) { platforms[p.index] = p; }
      break;
    case 'platform':
      platforms[msg.index] = msg;
      break;
    case 'platform_removed':
      delete platforms[msg.index];
      break;
    default:
      return;
  }
  renderPlatforms();
}

/** Forgets every platform (another server is shown). */
export function resetPlatforms() {
  for (const k of Object.keys(platforms)) { delete platforms[k]; }
  renderPlatforms();
}
