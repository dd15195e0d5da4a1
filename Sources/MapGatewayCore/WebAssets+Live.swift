extension WebAssets {
    /// `GET /live.js`: the live part of the page: the WebSocket (reconnect with backoff, a
    /// watchdog on the server's periodic status), player markers that glide between updates,
    /// the player list with follow, the chat panel and the server status. Uses `window.KT`
    /// from `app.js`.
    public static let liveJS = #"""
        (function () {
          'use strict';
          var KT = window.KT, state = KT.state, map = KT.map, $ = KT.$;
          var WATCHDOG_MS = 35000, CHAT_LINES = 60;
          var live = KT.live = {
            ws: null, attempt: 0, timer: null, watchdog: null, players: {}, markers: {}, chat: [],
            status: null, follow: null
          };

          // ---- players --------------------------------------------------------------------------
          // A marker glides to each new position over the time the previous update took to come
          // (clamped), so 4 Hz updates look like continuous movement.
          function glide(marker, target, now) {
            var from = marker.getLatLng();
            var duration = Math.max(80, Math.min(1000, now - (marker._lastUpdate || now)));
            marker._lastUpdate = now;
            if (marker._anim) { cancelAnimationFrame(marker._anim); }
            var start = null;
            function step(t) {
              // Frame timestamps may precede the call that scheduled them: start at the first frame.
              if (start === null) { start = t; }
              var k = Math.max(0, Math.min(1, (t - start) / duration));
              var ll = L.latLng(from.lat + (target.lat - from.lat) * k, from.lng + (target.lng - from.lng) * k);
              marker.setLatLng(ll);
              if (live.follow === marker._index) { map.panTo(ll, { animate: false }); }
              marker._anim = k < 1 ? requestAnimationFrame(step) : null;
            }
            marker._anim = requestAnimationFrame(step);
          }

          function tag(marker, p) {
            var el = marker.getElement && marker.getElement();
            if (!el) { return; }
            el.setAttribute('data-player', p.name);
            el.setAttribute('data-x', String(p.x));
            el.setAttribute('data-y', String(p.y));
          }

          function updateMarker(p) {
            var marker = live.markers[p.index];
            if (!(p.online && p.surface === state.surface)) {
              if (marker) { KT.playerLayer.removeLayer(marker); delete live.markers[p.index]; }
              if (live.follow === p.index && !p.online) { stopFollow(); }
              return;
            }
            var target = KT.toLatLng(p.x, p.y);
            if (!marker) {
              marker = L.circleMarker(target, {
                radius: 7, color: '#000', weight: 2, fillColor: p.color, fillOpacity: 1, className: 'player-marker'
              }).bindTooltip(p.name, { permanent: true, direction: 'top', offset: [0, -8], className: 'player-label' });
              marker._index = p.index;
              marker._lastUpdate = performance.now();
              marker.on('click', function () { follow(p.index); });
              KT.playerLayer.addLayer(marker);
              live.markers[p.index] = marker;
            } else {
              marker.setStyle({ fillColor: p.color });
              marker.setTooltipContent(p.name);
              glide(marker, target, performance.now());
            }
            tag(marker, p);
          }

          function renderPlayers() {
            Object.keys(live.markers).forEach(function (i) {
              if (!live.players[i]) { KT.playerLayer.removeLayer(live.markers[i]); delete live.markers[i]; }
            });
            var online = [];
            Object.keys(live.players).forEach(function (i) {
              var p = live.players[i];
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
              li.title = 'follow · ' + Math.floor(p.x) + ', ' + Math.floor(p.y);
              li.onclick = function () { follow(p.index); };
              list.appendChild(li);
            });
            KT.text($('player-count'), String(online.length));
            KT.setData('players', Object.keys(live.markers).length);
          }

          function follow(index) {
            var p = live.players[index];
            if (!p) { return; }
            if (p.surface !== state.surface) { KT.selectSurface(p.surface, true); }
            live.follow = index;
            map.setView(KT.toLatLng(p.x, p.y), Math.max(map.getZoom(), 3), { animate: false });
            KT.text($('follow-name'), p.name);
            $('follow').hidden = false;
          }
          function stopFollow() { live.follow = null; $('follow').hidden = true; }
          $('follow-stop').onclick = function (e) { e.preventDefault(); stopFollow(); };
          map.on('dragstart', stopFollow);

          // ---- chat and status ------------------------------------------------------------------
          function addLine(entry) {
            live.chat.push(entry);
            if (live.chat.length > CHAT_LINES) { live.chat.shift(); }
          }
          function renderChat() {
            var list = $('chat-list');
            list.textContent = '';
            live.chat.forEach(function (c) {
              var li = document.createElement('li');
              if (c.event) {
                li.className = 'event';
                KT.text(li, c.text);
              } else {
                KT.text(li.appendChild(document.createElement('span')), c.player ? c.player + ': ' : '[server] ')
                  .className = 'who';
                li.appendChild(document.createTextNode(c.message));
              }
              list.appendChild(li);
            });
            list.scrollTop = list.scrollHeight;
          }
          var NOTICE = {
            join: ' joined', leave: ' left', kick: ' was kicked', ban: ' was banned'
          };
          function noticeLine(m) {
            if (NOTICE[m.kind]) { return (m.player || '?') + NOTICE[m.kind] + (m.message ? ' (' + m.message + ')' : ''); }
            if (m.kind === 'saving') { return 'server is saving the map'; }
            if (m.kind === 'sequence_gap') { return (m.missing || '?') + ' updates were lost; the map heals itself'; }
            return null;
          }

          function renderStatus() {
            var s = live.status;
            var el = $('server-status');
            var name = s ? s.status : 'unknown';
            el.className = 'badge ' + name;
            KT.text(el, name);
            KT.setData('status', name);
            var age = s && s.lastActivityAt ? Math.max(0, Math.round((Date.now() - s.lastActivityAt) / 1000)) : null;
            KT.text($('server-age'), age === null ? '' : 'updated ' + (age < 60 ? age + ' s' : Math.round(age / 60) + ' min') + ' ago');
          }
          setInterval(renderStatus, 1000);

          // ---- messages -------------------------------------------------------------------------
          function handle(msg) {
            if (msg.server && msg.server !== state.server) { return; }
            // Live traffic proves the server alive between the periodic status messages.
            if (live.status && msg.at && msg.type !== 'tile' && msg.type !== 'status') {
              live.status.lastActivityAt = Math.max(live.status.lastActivityAt || 0, msg.at);
            }
            switch (msg.type) {
              case 'snapshot':
                live.players = {};
                msg.players.forEach(function (p) { live.players[p.index] = p; });
                msg.surfaces.forEach(function (s) { state.surfaces[s.name] = s; });
                live.chat = [];
                (msg.chat || []).forEach(addLine);
                live.status = msg.status;
                if (!state.surface) { KT.selectSurface(KT.pickDefaultSurface()); }
                KT.renderSurfaces(); renderPlayers(); renderChat(); renderStatus();
                break;
              case 'players':
                msg.players.forEach(function (p) { live.players[p.index] = p; });
                renderPlayers();
                break;
              case 'chat':
                addLine(msg); renderChat();
                break;
              case 'notice':
                var line = noticeLine(msg);
                if (line) { addLine({ event: true, text: line }); renderChat(); }
                break;
              case 'status':
                live.status = msg; renderStatus();
                break;
              case 'surface':
                if (msg.deleted) { delete state.surfaces[msg.name]; } else { state.surfaces[msg.name] = msg; }
                KT.renderSurfaces();
                if (!state.surface) { KT.selectSurface(KT.pickDefaultSurface()); }
                break;
              case 'session_start':
                KT.notice('Server (re)started: mod ' + msg.modVersion + ', game ' + msg.gameVersion);
                break;
              case 'tile':
                KT.refreshTile(msg);
                break;
            }
          }

          function setWs(s) { KT.setData('ws', s); $('ws-status').className = 'status ' + s; }

          function armWatchdog(ws) {
            clearTimeout(live.watchdog);
            // The gateway sends a status every few seconds: silence means a dead connection.
            live.watchdog = setTimeout(function () { if (live.ws === ws) { ws.close(); } }, WATCHDOG_MS);
          }

          function connect() {
            if (!state.server) { return; }
            var url = new URL('ws?server=' + encodeURIComponent(state.server), location.href);
            url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
            url.hash = '';
            var ws = new WebSocket(url.href);
            live.ws = ws;
            setWs('connecting');
            ws.onopen = function () { live.attempt = 0; setWs('open'); armWatchdog(ws); };
            ws.onmessage = function (e) {
              armWatchdog(ws);
              var msg;
              try { msg = JSON.parse(e.data); } catch (err) { return; }
              handle(msg);
            };
            ws.onclose = function () {
              if (live.ws !== ws) { return; }
              live.ws = null;
              clearTimeout(live.watchdog);
              setWs('closed');
              // Exponential backoff with jitter: 0.5 s, 1 s, 2 s … 30 s.
              var delay = Math.min(30000, 500 * Math.pow(2, live.attempt)) * (0.75 + Math.random() * 0.5);
              live.attempt += 1;
              live.timer = setTimeout(connect, delay);
            };
          }

          function disconnect() {
            clearTimeout(live.timer); clearTimeout(live.watchdog);
            if (live.ws) { var ws = live.ws; live.ws = null; ws.close(); }
            setWs('closed');
          }

          KT.onServerChange = function () {
            disconnect();
            live.players = {}; live.chat = []; live.status = null; stopFollow();
            renderPlayers(); renderChat(); renderStatus();
            connect();
          };
          KT.onSurfaceChange = function () { renderPlayers(); };
          window.kafkatorio.live = live;
          KT.start();
        })();

        """#
}
