extension WebAssets {
    /// `GET /app.js`: the map client. One map unit is one game tile; game (x, y) with y growing
    /// south is `L.latLng(-y, x)`, so at zoom 3 Leaflet's tile (x, y) is chunk (x, y).
    public static let appJS = #"""
        (function () {
          'use strict';
          var LAYERS = ['terrain', 'resources', 'buildings'];
          var ANIMATION_MS = 250;
          var body = document.body;
          var $ = function (id) { return document.getElementById(id); };
          var state = {
            servers: [], server: null, surface: null, surfaces: {}, players: {}, markers: {}, chat: [],
            ws: null, wsAttempt: 0, wsTimer: null, tilesLoaded: 0, tilesFailed: 0, versions: {}
          };

          function toLatLng(x, y) { return L.latLng(-y, x); }
          function fromLatLng(ll) { return { x: ll.lng, y: -ll.lat }; }
          function setData(key, value) { body.dataset[key] = String(value); }
          function text(el, s) { el.textContent = s; return el; }

          // Only the detail level (z = 3, one tile per chunk) is rendered so far; lower zooms scale
          // it down (minNativeZoom), so the lowest zoom stays where a screen holds a few hundred tiles.
          var MIN_ZOOM = 1;
          var map = L.map('map', {
            crs: L.CRS.Simple, minZoom: MIN_ZOOM, maxZoom: 6, zoomSnap: 1, attributionControl: false
          });
          map.setView([0, 0], 3);

          // ---- tile layers ----------------------------------------------------------------------
          var MapTileLayer = L.TileLayer.extend({
            getTileUrl: function (coords) {
              var url = '/tiles/' + encodeURIComponent(state.server) + '/' + encodeURIComponent(state.surface) +
                '/' + this.options.layerName + '/' + coords.z + '/' + coords.x + '/' + coords.y + '.png';
              var v = state.versions[this.options.layerName + '/' + coords.z + '/' + coords.x + '/' + coords.y];
              return v ? url + '?v=' + v : url;
            }
          });
          var tileLayers = {};
          LAYERS.forEach(function (name) {
            var layer = new MapTileLayer('', {
              layerName: name, tileSize: 256, minZoom: MIN_ZOOM, maxZoom: 6, minNativeZoom: 3, maxNativeZoom: 3,
              noWrap: true,
              keepBuffer: 4, updateWhenZooming: false
            });
            layer.on('tileload', function () { state.tilesLoaded += 1; setData('tilesLoaded', state.tilesLoaded); });
            layer.on('tileerror', function (e) {
              // A missing tile is normal (unexplored or empty): hide the image quietly.
              e.tile.style.visibility = 'hidden';
              state.tilesFailed += 1; setData('tilesFailed', state.tilesFailed);
            });
            tileLayers[name] = layer;
          });
          L.control.layers(null, { 'Terrain': tileLayers.terrain, 'Resources': tileLayers.resources,
            'Buildings': tileLayers.buildings }, { position: 'topleft', collapsed: true }).addTo(map);

          function showTileLayers() {
            LAYERS.forEach(function (name) {
              var layer = tileLayers[name];
              if (state.server && state.surface) {
                if (!map.hasLayer(layer)) { layer.addTo(map); } else { layer.redraw(); }
              } else if (map.hasLayer(layer)) { map.removeLayer(layer); }
            });
          }

          // Refresh one tile without flicker: load the new version off-screen, then swap it in.
          function refreshTile(msg) {
            if (msg.server !== state.server || msg.surface !== state.surface) { return; }
            var vkey = msg.layer + '/' + msg.z + '/' + msg.x + '/' + msg.y;
            state.versions[vkey] = msg.removed ? undefined : msg.version;
            var layer = tileLayers[msg.layer];
            if (!layer || !map.hasLayer(layer)) { return; }
            var tile = layer._tiles && layer._tiles[msg.x + ':' + msg.y + ':' + msg.z];
            if (!tile) { return; }
            if (msg.removed) { tile.el.style.visibility = 'hidden'; return; }
            var url = layer.getTileUrl({ x: msg.x, y: msg.y, z: msg.z });
            var img = new Image();
            img.onload = function () {
              tile.el.src = url;
              tile.el.style.visibility = '';
              state.tilesLoaded += 1; setData('tilesLoaded', state.tilesLoaded);
            };
            img.src = url;
          }

          // ---- players --------------------------------------------------------------------------
          function animateMarker(marker, target) {
            var from = marker.getLatLng();
            var start = performance.now();
            marker._target = target;
            if (marker._anim) { cancelAnimationFrame(marker._anim); }
            function step(now) {
              var t = Math.min(1, (now - start) / ANIMATION_MS);
              var e = t * (2 - t);
              marker.setLatLng(L.latLng(from.lat + (target.lat - from.lat) * e, from.lng + (target.lng - from.lng) * e));
              marker._anim = t < 1 ? requestAnimationFrame(step) : null;
            }
            marker._anim = requestAnimationFrame(step);
          }

          function markerData(marker, p) {
            var el = marker.getElement && marker.getElement();
            if (!el) { return; }
            el.setAttribute('data-player', p.name);
            el.setAttribute('data-x', String(p.x));
            el.setAttribute('data-y', String(p.y));
          }

          function updateMarker(p) {
            var visible = p.online && p.surface === state.surface;
            var marker = state.markers[p.index];
            if (!visible) {
              if (marker) { map.removeLayer(marker); delete state.markers[p.index]; }
              return;
            }
            var target = toLatLng(p.x, p.y);
            if (!marker) {
              marker = L.circleMarker(target, {
                radius: 7, color: '#000', weight: 2, fillColor: p.color, fillOpacity: 1, className: 'player-marker'
              }).bindTooltip(p.name, { permanent: true, direction: 'top', offset: [0, -8], className: 'player-label' });
              marker.addTo(map);
              state.markers[p.index] = marker;
            } else {
              marker.setStyle({ fillColor: p.color });
              if (marker.getTooltip()) { marker.setTooltipContent(p.name); }
              animateMarker(marker, target);
            }
            markerData(marker, p);
          }

          function renderPlayers() {
            Object.keys(state.markers).forEach(function (idx) {
              if (!state.players[idx]) { map.removeLayer(state.markers[idx]); delete state.markers[idx]; }
            });
            var online = [];
            Object.keys(state.players).forEach(function (idx) {
              var p = state.players[idx];
              updateMarker(p);
              if (p.online) { online.push(p); }
            });
            online.sort(function (a, b) { return a.name.localeCompare(b.name); });
            var list = $('player-list');
            list.textContent = '';
            online.forEach(function (p) {
              var li = document.createElement('li');
              var sw = document.createElement('span');
              sw.className = 'swatch'; sw.style.background = p.color;
              li.appendChild(sw);
              li.appendChild(document.createTextNode(p.name + (p.surface !== state.surface ? ' (' + p.surface + ')' : '') +
                (p.afk ? ' · afk' : '')));
              li.title = Math.floor(p.x) + ', ' + Math.floor(p.y);
              li.onclick = function () {
                if (p.surface !== state.surface) { selectSurface(p.surface); }
                map.setView(toLatLng(p.x, p.y), Math.max(map.getZoom(), 3));
              };
              list.appendChild(li);
            });
            text($('player-count'), String(online.length));
            setData('players', Object.keys(state.markers).length);
          }

          // ---- chat, surfaces, notices ----------------------------------------------------------
          function renderChat() {
            var list = $('chat-list');
            list.textContent = '';
            state.chat.slice(-8).forEach(function (c) {
              var li = document.createElement('li');
              li.appendChild(text(document.createElement('span'), c.player ? c.player + ': ' : '[server] ')).className = 'who';
              li.appendChild(document.createTextNode(c.message));
              list.appendChild(li);
            });
          }

          function renderSurfaces() {
            var select = $('surface-select');
            var names = Object.keys(state.surfaces).sort();
            if (state.surface && names.indexOf(state.surface) < 0) { names.push(state.surface); }
            select.textContent = '';
            names.forEach(function (name) {
              var s = state.surfaces[name] || {};
              var label = name + (s.planet && s.planet !== name ? ' (' + s.planet + ')' : '') +
                (s.platform ? ' (platform ' + s.platform + ')' : '');
              var opt = text(document.createElement('option'), label);
              opt.value = name;
              opt.selected = name === state.surface;
              select.appendChild(opt);
            });
            setData('surface', state.surface || '');
          }

          function notice(msg) {
            var el = $('notice');
            text(el, msg); el.hidden = false;
            setTimeout(function () { el.hidden = true; }, 8000);
          }

          function selectSurface(name) {
            if (!name || name === state.surface) { return; }
            state.surface = name;
            state.versions = {};
            renderSurfaces();
            showTileLayers();
            renderPlayers();
            writeHash();
          }
          $('surface-select').onchange = function (e) { selectSurface(e.target.value); };

          // ---- WebSocket ------------------------------------------------------------------------
          function handleMessage(msg) {
            if (msg.server && msg.server !== state.server) { return; }
            switch (msg.type) {
              case 'snapshot':
                state.players = {};
                msg.players.forEach(function (p) { state.players[p.index] = p; });
                msg.surfaces.forEach(function (s) { state.surfaces[s.name] = s; });
                state.chat = msg.chat || [];
                if (!state.surface) { selectSurface(pickDefaultSurface()); }
                renderSurfaces(); renderPlayers(); renderChat();
                break;
              case 'player':
                state.players[msg.index] = msg;
                renderPlayers();
                break;
              case 'chat':
                state.chat.push(msg);
                if (state.chat.length > 50) { state.chat.shift(); }
                renderChat();
                break;
              case 'surface':
                if (msg.deleted) { delete state.surfaces[msg.name]; } else { state.surfaces[msg.name] = msg; }
                renderSurfaces();
                break;
              case 'session_start':
                notice('Server (re)started: mod ' + msg.modVersion + ', game ' + msg.gameVersion);
                break;
              case 'tile':
                refreshTile(msg);
                break;
            }
          }

          function setWsStatus(s) {
            setData('ws', s);
            $('ws-status').className = 'status ' + s;
          }

          function connect() {
            if (!state.server) { return; }
            var server = state.server;
            var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
            var ws = new WebSocket(proto + '//' + location.host + '/ws?server=' + encodeURIComponent(server));
            state.ws = ws;
            setWsStatus('connecting');
            ws.onopen = function () { state.wsAttempt = 0; setWsStatus('open'); };
            ws.onmessage = function (e) {
              try { handleMessage(JSON.parse(e.data)); } catch (err) { console.warn('bad message', err); }
            };
            ws.onclose = function () {
              if (state.ws !== ws) { return; }
              state.ws = null;
              setWsStatus('closed');
              var delay = Math.min(30000, 500 * Math.pow(2, state.wsAttempt)) * (0.75 + Math.random() * 0.5);
              state.wsAttempt += 1;
              state.wsTimer = setTimeout(connect, delay);
            };
          }

          function disconnect() {
            clearTimeout(state.wsTimer);
            if (state.ws) { var ws = state.ws; state.ws = null; ws.close(); }
            setWsStatus('closed');
          }

          // ---- servers --------------------------------------------------------------------------
          function pickDefaultSurface() {
            var names = Object.keys(state.surfaces);
            if (names.indexOf('nauvis') >= 0) { return 'nauvis'; }
            return names.sort()[0] || null;
          }

          function selectServer(id, surface) {
            if (id === state.server && (!surface || surface === state.surface)) { return; }
            var serverChanged = id !== state.server;
            state.server = id;
            if (serverChanged) {
              disconnect();
              state.players = {}; state.surfaces = {}; state.chat = []; state.versions = {};
              var info = state.servers.filter(function (s) { return s.id === id; })[0];
              if (info) { info.surfaces.forEach(function (n) { state.surfaces[n] = state.surfaces[n] || { name: n }; }); }
              state.surface = null;
            }
            $('server-picker').hidden = true;
            $('server-info').hidden = false;
            text($('server-name'), id);
            setData('server', id);
            state.surface = surface || state.surface || pickDefaultSurface();
            renderSurfaces(); renderPlayers(); renderChat();
            showTileLayers();
            if (serverChanged) { connect(); }
            writeHash();
          }

          function showServerList() {
            var list = $('server-list');
            list.textContent = '';
            state.servers.forEach(function (s) {
              var li = text(document.createElement('li'), s.id + ' · ' + s.playersOnline + ' online' + (s.stale ? ' · stale' : ''));
              li.onclick = function () { selectServer(s.id); };
              list.appendChild(li);
            });
            if (!state.servers.length) { list.appendChild(text(document.createElement('li'), 'no servers yet')); }
            $('server-picker').hidden = false;
          }
          $('server-name').onclick = function (e) { e.preventDefault(); loadServers(true); };

          function loadServers(forceList) {
            return fetch('/api/servers', { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (list) {
              state.servers = list;
              setData('servers', list.length);
              if (forceList || (!state.server && list.length !== 1)) { showServerList(); }
              else if (!state.server && list.length === 1) { selectServer(list[0].id); }
            }).catch(function () { setTimeout(function () { loadServers(forceList); }, 3000); });
          }

          // ---- URL hash and cursor --------------------------------------------------------------
          var applyingHash = false;
          function writeHash() {
            if (applyingHash || !state.server) { return; }
            var c = fromLatLng(map.getCenter());
            var h = '#' + encodeURIComponent(state.server) + '/' + encodeURIComponent(state.surface || '') + '/' +
              Math.round(c.x) + '/' + Math.round(c.y) + '/' + map.getZoom();
            if (location.hash !== h) { history.replaceState(null, '', h); }
          }

          function readHash() {
            var parts = location.hash.replace(/^#/, '').split('/');
            if (parts.length < 2 || !parts[0]) { return false; }
            var server = decodeURIComponent(parts[0]);
            var surface = decodeURIComponent(parts[1]) || null;
            var x = parseFloat(parts[2]), y = parseFloat(parts[3]), z = parseInt(parts[4], 10);
            applyingHash = true;
            if (isFinite(x) && isFinite(y)) {
              map.setView(toLatLng(x, y), isFinite(z) ? Math.max(MIN_ZOOM, Math.min(6, z)) : map.getZoom(), { animate: false });
            }
            applyingHash = false;
            selectServer(server, surface);
            return true;
          }

          map.on('moveend', writeHash);
          window.addEventListener('hashchange', readHash);
          map.on('mousemove', function (e) {
            var p = fromLatLng(e.latlng);
            var x = Math.floor(p.x), y = Math.floor(p.y);
            text($('coords'), 'x ' + x + ', y ' + y + '  ·  chunk ' + Math.floor(x / 32) + ', ' + Math.floor(y / 32));
          });

          window.kafkatorio = { map: map, state: state, toLatLng: toLatLng, layers: tileLayers };
          var fromHash = readHash();
          loadServers(false).then(function () {
            if (fromHash) { $('server-picker').hidden = true; }
          });
        })();

        """#
}
