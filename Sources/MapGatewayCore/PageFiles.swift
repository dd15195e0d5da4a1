/// The files of the web page and the Leaflet files the gateway serves beside it, by path and
/// content type (pure: the bytes of the page, no HTTP type). ``StaticAssets`` in MapGatewayServer
/// holds them in memory and serves them.
package enum PageFiles {
    package static let javaScript = "text/javascript; charset=utf-8"
    package static let css = "text/css; charset=utf-8"

    /// The page's own files (`Web` beside this file, compiled into the binary by SwiftPM's
    /// `embedInCode` resource rule) by URL path. The page is `/`; the rest are ES modules and
    /// the style sheet it loads by relative URL.
    package static let pageFiles: [(path: String, bytes: [UInt8], contentType: String)] = [
        ("/", PackageResources.index_html, "text/html; charset=utf-8"),
        ("/map.css", PackageResources.map_css, css),
        ("/main.js", PackageResources.main_js, javaScript),
        ("/dom.js", PackageResources.dom_js, javaScript),
        ("/state.js", PackageResources.state_js, javaScript),
        ("/model.js", PackageResources.model_js, javaScript),
        ("/map.js", PackageResources.map_js, javaScript),
        ("/servers.js", PackageResources.servers_js, javaScript),
        ("/players.js", PackageResources.players_js, javaScript),
        ("/live.js", PackageResources.live_js, javaScript),
        ("/glide.js", PackageResources.glide_js, javaScript),
        ("/factorymodel.js", PackageResources.factorymodel_js, javaScript),
        ("/factory.js", PackageResources.factory_js, javaScript),
        ("/platforms.js", PackageResources.platforms_js, javaScript),
        ("/panel.js", PackageResources.panel_js, javaScript),
        ("/fuzzy.js", PackageResources.fuzzy_js, javaScript),
        ("/search.js", PackageResources.search_js, javaScript),
        ("/grid.js", PackageResources.grid_js, javaScript),
        ("/inspect.js", PackageResources.inspect_js, javaScript),
        ("/timeline.js", PackageResources.timeline_js, javaScript),
        ("/timebar.js", PackageResources.timebar_js, javaScript),
        ("/trails.js", PackageResources.trails_js, javaScript),
    ]

    /// The Leaflet files read from the Leaflet directory, relative to it.
    package static let leafletFiles: [(name: String, contentType: String)] = [
        ("leaflet.js", javaScript),
        ("leaflet.css", css),
        ("images/layers.png", "image/png"),
        ("images/layers-2x.png", "image/png"),
        ("images/marker-icon.png", "image/png"),
        ("images/marker-icon-2x.png", "image/png"),
        ("images/marker-shadow.png", "image/png"),
    ]
}
