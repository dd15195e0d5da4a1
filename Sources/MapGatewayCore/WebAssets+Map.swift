extension WebAssets {
    /// `GET /app.js`: the map (servers, surfaces, tile layers, URL hash, cursor coordinates).
    /// One map unit is one game tile; game (x, y) with y growing south is `L.latLng(-y, x)`, so
    /// at zoom 3 (8 px per game tile) Leaflet's tile (x, y) is chunk (x, y), as in ``TileKey``.
    /// `live.js` adds the WebSocket, players, chat and status through `window.KT`.
    public static let appJS = #"""
        (function () {
          'use strict';
          var LAYERS = ['terrain', 'resources', 'buildings'];
          var DETAIL_ZOOM = 3, MIN_TILE_ZOOM = -13, MAX_ZOOM = 6;
          // 1×1 transparent PNG: a missing tile (404: unexplored or empty) shows nothing.
          var EMPTY_TILE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII=';
          var body = document.body;
          var KT = window.KT = {};
          var $ = KT.$ = function (id) { return document.getElementById(id); };
          KT.setData = function (key, value) { body.dataset[key] = String(value); };
          KT.text = function (el, s) { el.textContent = s; return el; };
          var state = KT.state = {
            servers: [], server: null, surface: null, surfaces: {}, extent: null, zooms: [],
            tilesLoaded: 0, tilesFailed: 0, versions: {}, viewFromHash: false
          };
          KT.toLatLng = function (x, y) { return L.latLng(-y, x); };
          KT.fromLatLng = function (ll) { return { x: ll.lng, y: -ll.lat }; };
          KT.api = function (path) {
            return fetch(path, { cache: 'no-store', credentials: 'same-origin' }).then(function (r) {
              if (!r.ok) { throw new Error(path + ': HTTP ' + r.status); }
              return r.json();
            });
          };
          KT.notice = function (msg) {
            var el = $('notice');
            KT.text(el, msg); el.hidden = false;
            clearTimeout(KT.noticeTimer);
            KT.noticeTimer = setTimeout(function () { el.hidden = true; }, 8000);
          };

          var map = KT.map = L.map('map', {
            crs: L.CRS.Simple, minZoom: MIN_TILE_ZOOM, maxZoom: MAX_ZOOM, zoomSnap: 1, attributionControl: false
          });
          map.setView([0, 0], DETAIL_ZOOM);

          // ---- tile layers ----------------------------------------------------------------------
          var MapTileLayer = L.TileLayer.extend({
            getTileUrl: function (c) {
              var rel = this.options.layerName + '/' + c.z + '/' + c.x + '/' + c.y;
              var url = 'tiles/' + encodeURIComponent(state.server) + '/' + encodeURIComponent(state.surface) +
                '/' + rel + '.png';
              var v = state.versions[rel];
              return v ? url + '?v=' + v : url;
            }
          });
          var layers = KT.layers = {};
          LAYERS.forEach(function (name) {
            var layer = new MapTileLayer('', {
              layerName: name, tileSize: 256, minZoom: MIN_TILE_ZOOM, maxZoom: MAX_ZOOM,
              minNativeZoom: DETAIL_ZOOM, maxNativeZoom: DETAIL_ZOOM, noWrap: true, keepBuffer: 4,
              updateWhenZooming: false, errorTileUrl: EMPTY_TILE
            });
            layer.on('tileload', function (e) {
              if (e.tile.src !== EMPTY_TILE) { state.tilesLoaded += 1; KT.setData('tilesLoaded', state.tilesLoaded); }
            });
            layer.on('tileerror', function () { state.tilesFailed += 1; KT.setData('tilesFailed', state.tilesFailed); });
            layers[name] = layer;
          });
          var visible = { terrain: true, resources: true, buildings: true };
          KT.playerLayer = L.layerGroup().addTo(map);
          L.control.layers(null, {
            'Terrain': layers.terrain, 'Resources': layers.resources, 'Buildings': layers.buildings,
            'Players': KT.playerLayer
          }, { position: 'topleft', collapsed: true }).addTo(map);
          map.on('overlayadd overlayremove', function (e) {
            LAYERS.forEach(function (n) { if (layers[n] === e.layer) { visible[n] = e.type === 'overlayadd'; } });
          });

          // Native zooms come from the surface's tiles: below the lowest rendered level Leaflet
          // scales those tiles down, above level 3 it scales detail tiles up (pixelated).
          function configureLayers() {
            var zs = state.zooms.filter(function (z) { return z <= DETAIL_ZOOM; });
            var minNative = zs.length ? Math.min.apply(null, zs) : DETAIL_ZOOM;
            var bounds = state.extent ? extentBounds(state.extent) : null;
            var fit = bounds ? map.getBoundsZoom(bounds.pad(0.05)) : DETAIL_ZOOM;
            var minZoom = Math.max(MIN_TILE_ZOOM, minNative - 3, Math.min(fit - 1, DETAIL_ZOOM - 1));
            var changed = layers.terrain.options.minNativeZoom !== minNative;
            LAYERS.forEach(function (n) {
              var l = layers[n];
              l.options.minNativeZoom = minNative;
              l.options.bounds = bounds ? bounds.pad(0.5) : undefined;
              l.options.minZoom = minZoom;
            });
            map.setMinZoom(minZoom);
            return changed;
          }

          function extentBounds(e) {
            return L.latLngBounds(KT.toLatLng(e.minX, e.maxY), KT.toLatLng(e.maxX, e.minY));
          }

          // `redraw`: drop the current tiles (new surface or native zooms); otherwise only fetch
          // tiles that became valid (a grown extent) and keep the rest on screen.
          KT.showTileLayers = function (redraw) {
            LAYERS.forEach(function (name) {
              var layer = layers[name];
              if (state.server && state.surface && visible[name]) {
                if (!map.hasLayer(layer)) { layer.addTo(map); } else if (redraw) { layer.redraw(); } else { layer._update(); }
              } else if (map.hasLayer(layer)) { map.removeLayer(layer); }
            });
          };

          // Live refresh without flicker: load the new version off-screen, then swap it in.
          KT.refreshTile = function (msg) {
            if (msg.surface !== state.surface) { return; }
            var rel = msg.layer + '/' + msg.z + '/' + msg.x + '/' + msg.y;
            if (msg.removed) { delete state.versions[rel]; } else { state.versions[rel] = msg.version; }
            // Only detail tiles widen the explored box (a coarse tile always spans more than it).
            if (!msg.removed && msg.z === DETAIL_ZOOM && (!state.extent || outsideExtent(msg))) { scheduleSurfaceReload(); }
            var layer = layers[msg.layer];
            if (!layer || !map.hasLayer(layer)) { return; }
            var tile = layer._tiles && layer._tiles[msg.x + ':' + msg.y + ':' + msg.z];
            if (!tile) { return; }
            if (msg.removed) { tile.el.src = EMPTY_TILE; return; }
            var url = layer.getTileUrl({ x: msg.x, y: msg.y, z: msg.z });
            var img = new Image();
            img.onload = function () {
              tile.el.src = url;
              state.tilesLoaded += 1; KT.setData('tilesLoaded', state.tilesLoaded);
            };
            img.src = url;
          };

          function outsideExtent(m) {
            var n = Math.pow(2, DETAIL_ZOOM - m.z), e = state.extent;
            return m.x * n < e.minChunkX || m.y * n < e.minChunkY || (m.x + 1) * n - 1 > e.maxChunkX ||
              (m.y + 1) * n - 1 > e.maxChunkY;
          }
          var reloadTimer = null;
          function scheduleSurfaceReload() {
            if (reloadTimer) { return; }
            reloadTimer = setTimeout(function () { reloadTimer = null; loadSurface(false, false); }, 2000);
          }

          // ---- surfaces -------------------------------------------------------------------------
          // `reset`: a different surface is shown (tiles are redrawn); `fit`: fit the whole map.
          function loadSurface(fit, reset) {
            var server = state.server, surface = state.surface;
            if (!server || !surface) { return Promise.resolve(); }
            return KT.api('api/servers/' + encodeURIComponent(server) + '/surfaces/' + encodeURIComponent(surface))
              .then(function (s) {
                if (server !== state.server || surface !== state.surface) { return; }
                state.extent = s.extent; state.zooms = s.zooms || [];
                var changed = configureLayers();
                if (fit && s.extent) { map.fitBounds(extentBounds(s.extent), { animate: false }); }
                KT.showTileLayers(changed || reset);
              }).catch(function () {
                state.extent = null; state.zooms = []; configureLayers(); KT.showTileLayers(reset);
              });
          }

          KT.renderSurfaces = function () {
            var select = $('surface-select');
            var names = Object.keys(state.surfaces).sort();
            if (state.surface && names.indexOf(state.surface) < 0) { names.push(state.surface); }
            select.textContent = '';
            names.forEach(function (name) {
              var s = state.surfaces[name] || {};
              var label = name + (s.planet && s.planet !== name ? ' (' + s.planet + ')' : '') +
                (s.platform ? ' (platform ' + s.platform + ')' : '');
              var opt = KT.text(document.createElement('option'), label);
              opt.value = name;
              opt.selected = name === state.surface;
              select.appendChild(opt);
            });
            KT.setData('surface', state.surface || '');
          };

          KT.selectSurface = function (name, keepView) {
            if (!name || name === state.surface) { return; }
            state.surface = name;
            state.versions = {}; state.extent = null; state.zooms = [];
            KT.renderSurfaces();
            if (KT.onSurfaceChange) { KT.onSurfaceChange(); }
            loadSurface(!keepView, true);
            KT.writeHash();
          };
          $('surface-select').onchange = function (e) { KT.selectSurface(e.target.value); };

          KT.pickDefaultSurface = function () {
            var names = Object.keys(state.surfaces);
            if (names.indexOf('nauvis') >= 0) { return 'nauvis'; }
            return names.sort()[0] || null;
          };

          // ---- servers --------------------------------------------------------------------------
          function selectServer(id, surface) {
            if (id === state.server && (!surface || surface === state.surface)) { return; }
            if (id !== state.server) {
              state.server = id;
              state.surfaces = {}; state.surface = null;
              var info = state.servers.filter(function (s) { return s.id === id; })[0];
              if (info) { info.surfaces.forEach(function (n) { state.surfaces[n] = { name: n }; }); }
              if (KT.onServerChange) { KT.onServerChange(); }
            }
            $('server-picker').hidden = true;
            $('server-info').hidden = false;
            KT.text($('server-name'), id);
            KT.setData('server', id);
            var keep = state.viewFromHash;
            state.viewFromHash = false;
            KT.selectSurface(surface || KT.pickDefaultSurface(), keep);
            KT.renderSurfaces();
          }
          KT.selectServer = selectServer;

          function showServerList() {
            var list = $('server-list');
            list.textContent = '';
            state.servers.forEach(function (s) {
              var li = KT.text(document.createElement('li'),
                s.id + ' · ' + s.status + ' · ' + s.playersOnline + ' online');
              li.onclick = function () { selectServer(s.id); };
              list.appendChild(li);
            });
            if (!state.servers.length) { list.appendChild(KT.text(document.createElement('li'), 'no servers yet')); }
            $('server-picker').hidden = false;
          }
          $('server-name').onclick = function (e) { e.preventDefault(); loadServers(true); };

          function loadServers(forceList) {
            return KT.api('api/servers').then(function (list) {
              state.servers = list;
              KT.setData('servers', list.length);
              if (forceList || (!state.server && list.length !== 1)) { showServerList(); }
              else if (!state.server && list.length === 1) { selectServer(list[0].id); }
            }).catch(function (err) {
              KT.notice('cannot load servers (' + err.message + '); retrying');
              setTimeout(function () { loadServers(forceList); }, 3000);
            });
          }

          // ---- URL hash (#server/surface/x/y/zoom) and cursor -----------------------------------
          var applyingHash = false;
          KT.writeHash = function () {
            if (applyingHash || !state.server) { return; }
            var c = KT.fromLatLng(map.getCenter());
            var h = '#' + encodeURIComponent(state.server) + '/' + encodeURIComponent(state.surface || '') + '/' +
              Math.round(c.x) + '/' + Math.round(c.y) + '/' + map.getZoom();
            if (location.hash !== h) { history.replaceState(null, '', h); }
          };

          function readHash() {
            var parts = location.hash.replace(/^#/, '').split('/');
            if (parts.length < 2 || !parts[0]) { return false; }
            var server = decodeURIComponent(parts[0]);
            var surface = decodeURIComponent(parts[1]) || null;
            var x = parseFloat(parts[2]), y = parseFloat(parts[3]), z = parseInt(parts[4], 10);
            applyingHash = true;
            if (isFinite(x) && isFinite(y)) {
              var zoom = isFinite(z) ? Math.max(MIN_TILE_ZOOM, Math.min(MAX_ZOOM, z)) : map.getZoom();
              map.setView(KT.toLatLng(x, y), zoom, { animate: false });
              state.viewFromHash = true;
            }
            applyingHash = false;
            selectServer(server, surface);
            return true;
          }

          map.on('moveend', function () { KT.writeHash(); });
          window.addEventListener('hashchange', readHash);
          map.on('mousemove', function (e) {
            var p = KT.fromLatLng(e.latlng);
            var x = Math.floor(p.x), y = Math.floor(p.y);
            KT.text($('coords'), 'x ' + x + ', y ' + y + '  ·  chunk ' + Math.floor(x / 32) + ', ' + Math.floor(y / 32));
          });

          KT.start = function () {
            var fromHash = readHash();
            loadServers(false).then(function () { if (fromHash) { $('server-picker').hidden = true; } });
          };
          window.kafkatorio = { map: map, state: state, toLatLng: KT.toLatLng, layers: layers };
        })();

        """#
}
