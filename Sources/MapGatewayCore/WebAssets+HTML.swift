/// The web page's files, embedded so the gateway serves them from memory without depending on a
/// working directory. The page is plain HTML/CSS/JS using Leaflet's global `L` (no build step).
/// Every URL in it is relative, so the page works under any base path (`/map/` behind a proxy).
public enum WebAssets {
    /// `GET /`: the page shell.
    public static let indexHTML = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Kafkatorio map</title>
        <link rel="stylesheet" href="leaflet/leaflet.css">
        <link rel="stylesheet" href="app.css">
        </head>
        <body data-ws="closed" data-players="0" data-tiles-loaded="0" data-tiles-failed="0" data-status="unknown">
        <div id="map"></div>
        <aside id="panel">
          <header>
            <strong>Kafkatorio</strong>
            <span id="ws-status" class="status closed" title="live connection">●</span>
          </header>
          <div id="server-picker" hidden>
            <div class="label">Servers</div>
            <ul id="server-list"></ul>
          </div>
          <div id="server-info" hidden>
            <div class="row"><span class="label">Server</span> <a href="#" id="server-name" title="all servers"></a></div>
            <div class="row"><span id="server-status" class="badge unknown">unknown</span>
              <span id="server-age" class="muted"></span></div>
            <div class="row"><label class="label" for="surface-select">Surface</label>
              <select id="surface-select"></select></div>
            <div class="label">Players online <span id="player-count">0</span></div>
            <ul id="player-list"></ul>
            <div id="follow" hidden>following <b id="follow-name"></b> <a href="#" id="follow-stop">stop</a></div>
            <div class="label">Chat</div>
            <ul id="chat-list"></ul>
          </div>
          <div id="notice" hidden></div>
        </aside>
        <div id="coords">–</div>
        <script src="leaflet/leaflet.js"></script>
        <script src="app.js"></script>
        <script src="live.js"></script>
        </body>
        </html>

        """#

    /// `GET /app.css`: the page's style sheet.
    public static let appCSS = #"""
        html, body { margin: 0; height: 100%; font: 13px/1.35 system-ui, sans-serif; background: #161616; color: #ddd; }
        #map { position: absolute; inset: 0; background: #1e1e1e; }
        .leaflet-container { background: #1e1e1e; }
        /* Beyond the native detail level Leaflet scales tiles up: keep the pixels sharp. */
        .leaflet-tile-container img.leaflet-tile { image-rendering: pixelated; image-rendering: crisp-edges; }
        #panel { position: absolute; top: 10px; right: 10px; z-index: 1000; width: 240px; max-height: calc(100% - 40px);
          overflow: auto; background: rgba(20,20,20,.88); border: 1px solid #444; border-radius: 6px; padding: 8px 10px; }
        #panel header { display: flex; justify-content: space-between; margin-bottom: 6px; }
        .label { color: #999; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; margin-top: 6px; }
        .muted { color: #999; font-size: 11px; }
        .row { display: flex; gap: 6px; align-items: center; margin: 3px 0; }
        .row .label { margin: 0; }
        #panel ul { list-style: none; margin: 2px 0; padding: 0; }
        #panel li { padding: 2px 0; cursor: pointer; }
        #panel li:hover { color: #fff; }
        #panel a { color: #f0b050; }
        #server-list li { color: #f0b050; }
        #chat-list { max-height: 220px; overflow: auto; }
        #chat-list li { cursor: default; word-break: break-word; }
        #chat-list .who { color: #f0b050; }
        #chat-list li.event { color: #9a9; font-style: italic; }
        .badge { border-radius: 3px; padding: 0 5px; font-size: 11px; font-weight: 600; color: #111; }
        .badge.online { background: #5c5; } .badge.offline { background: #c55; }
        .badge.stale { background: #cc5; } .badge.unknown { background: #888; }
        .swatch { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 5px; border: 1px solid #000; }
        .status.open { color: #4c4; } .status.closed { color: #c44; } .status.connecting { color: #cc4; }
        #coords { position: absolute; left: 10px; bottom: 10px; z-index: 1000; background: rgba(20,20,20,.85);
          border: 1px solid #444; border-radius: 4px; padding: 3px 7px; font-family: ui-monospace, monospace; }
        #notice { margin-top: 6px; color: #cc4; }
        #follow { margin-top: 4px; color: #f0b050; }
        .leaflet-tooltip.player-label { background: rgba(0,0,0,.7); color: #fff; border: none; box-shadow: none;
          padding: 1px 5px; font-weight: 600; }
        .leaflet-tooltip.player-label::before { display: none; }

        """#
}
