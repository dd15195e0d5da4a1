// The live part of the page: the WebSocket (reconnect with backoff, a watchdog on the server's
// periodic status), chat, notices and the server status. Every text from the game is shown as
// text.
import { $, element, notice, setData, text } from './dom.js';
import { applyFactoryMessage } from './factory.js';
import { refreshTile } from './map.js';
import { ageText, backoffMillis, noticeLine } from './model.js';
import { renderPlayers, stopFollow } from './players.js';
import { pickDefaultSurface, renderSurfaces, selectSurface } from './servers.js';
import { events, live, state } from './state.js';

const WATCHDOG_MS = 35000;
const CHAT_LINES = 60;

// ---- chat and status --------------------------------------------------------------------------
function addLine(entry) {
  live.chat.push(entry);
  if (live.chat.length > CHAT_LINES) { live.chat.shift(); }
}

function renderChat() {
  const list = $('chat-list');
  list.textContent = '';
  for (const c of live.chat) {
    const li = document.createElement('li');
    if (c.event) {
      li.className = 'event';
      text(li, c.text);
    } else {
      li.append(element('span', c.player ? `${c.player}: ` : '[server] ', 'who'), c.message);
    }
    list.appendChild(li);
  }
  list.scrollTop = list.scrollHeight;
}

function renderStatus() {
  const s = live.status;
  const el = $('server-status');
  const name = s ? s.status : 'unknown';
  el.className = `badge ${name}`;
  text(el, name);
  setData('status', name);
  const age = s && s.lastActivityAt ? Math.max(0, Math.round((Date.now() - s.lastActivityAt) / 1000)) : null;
  text($('server-age'), ageText(age));
}
setInterval(renderStatus, 1000);

// ---- messages ---------------------------------------------------------------------------------
function handle(msg) {
  if (msg.server && msg.server !== state.server) { return; }
  // Live traffic proves the server alive between the periodic status messages.
  if (live.status && msg.at && msg.type !== 'tile' && msg.type !== 'status') {
    live.status.lastActivityAt = Math.max(live.status.lastActivityAt || 0, msg.at);
  }
  events.dispatchEvent(new CustomEvent('live', { detail: msg }));  // for search.js and others
  switch (msg.type) {
    case 'snapshot':
      live.players = {};
      for (const p of msg.players) { live.players[p.index] = p; }
      for (const s of msg.surfaces) { state.surfaces[s.name] = s; }
      live.chat = [];
      for (const c of msg.chat || []) { addLine(c); }
      live.status = msg.status;
      if (!state.surface) { selectSurface(pickDefaultSurface()); }
      renderSurfaces(); renderPlayers(); renderChat(); renderStatus();
      break;
    case 'players':
      for (const p of msg.players) { live.players[p.index] = p; }
      renderPlayers();
      break;
    case 'chat':
      addLine(msg); renderChat();
      break;
    case 'notice': {
      const line = noticeLine(msg);
      if (line) { addLine({ event: true, text: line }); renderChat(); }
      break;
    }
    case 'status':
      live.status = msg; renderStatus();
      break;
    case 'surface':
      if (msg.deleted) { delete state.surfaces[msg.name]; } else { state.surfaces[msg.name] = msg; }
      renderSurfaces();
      if (!state.surface) { selectSurface(pickDefaultSurface()); }
      break;
    case 'session_start':
      notice(`Server (re)started: mod ${msg.modVersion}, game ${msg.gameVersion}`);
      break;
    case 'tile':
      refreshTile(msg);
      break;
  }
  applyFactoryMessage(msg);
}

function setWs(s) {
  setData('ws', s);
  $('ws-status').className = `status ${s}`;
}

function armWatchdog(ws) {
  clearTimeout(live.watchdog);
  // The gateway sends a status every few seconds: silence means a dead connection.
  live.watchdog = setTimeout(() => { if (live.ws === ws) { ws.close(); } }, WATCHDOG_MS);
}

function connect() {
  if (!state.server) { return; }
  const url = new URL(`ws?server=${encodeURIComponent(state.server)}`, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  const ws = new WebSocket(url.href);
  live.ws = ws;
  setWs('connecting');
  ws.onopen = () => { live.attempt = 0; setWs('open'); armWatchdog(ws); };
  ws.onmessage = (e) => {
    armWatchdog(ws);
    let msg;
    try { msg = JSON.parse(e.data); } catch { return; }
    handle(msg);
  };
  ws.onclose = () => {
    if (live.ws !== ws) { return; }
    live.ws = null;
    clearTimeout(live.watchdog);
    setWs('closed');
    const delay = backoffMillis(live.attempt, 0.75 + Math.random() * 0.5);
    live.attempt += 1;
    live.timer = setTimeout(connect, delay);
  };
}

function disconnect() {
  clearTimeout(live.timer);
  clearTimeout(live.watchdog);
  if (live.ws) {
    const ws = live.ws;
    live.ws = null;
    ws.close();
  }
  setWs('closed');
}

events.addEventListener('serverchange', () => {
  disconnect();
  live.players = {};
  live.chat = [];
  live.status = null;
  stopFollow();
  renderPlayers(); renderChat(); renderStatus();
  connect();
});
events.addEventListener('surfacechange', renderPlayers);
