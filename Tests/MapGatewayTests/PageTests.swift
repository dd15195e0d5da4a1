import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import MapGatewayCore
import MapGatewayServer

/// The page as files: every file of `Sources/MapGatewayCore/Web` is served from the binary with
/// the bytes on disk, everything the page loads is served, no inline script; the security
/// headers on every response; the host's Leaflet against the tested one.
@Suite struct PageTests {
    static let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/MapGatewayCore/Web")

    static func webFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: web.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func assets(leaflet: String = GatewayConfiguration().leafletDirectory) throws -> StaticAssets {
        try StaticAssets(leafletDirectory: leaflet, logger: Fixture.logger)
    }

    @Test func everyPageFileIsServedWithItsBytes() throws {
        let assets = try Self.assets()
        let files = try Self.webFiles()
        #expect(files.contains("index.html") && files.contains("main.js"))
        for name in files {
            let disk = try Data(contentsOf: Self.web.appendingPathComponent(name))
            let path = name == "index.html" ? "/" : "/" + name
            let asset = try #require(assets[path], "\(name) is not served: list it in PageFiles.pageFiles")
            #expect(Array(asset.bytes.readableBytesView) == Array(disk), "\(name)")
            #expect(asset.contentType.hasPrefix(name.hasSuffix(".js") ? "text/javascript" : "text/"), "\(name)")
        }
        #expect(Set(PageFiles.pageFiles.map(\.path)).count == files.count)
    }

    /// Every relative URL the page loads (`src`, `href`, module imports) is an asset.
    @Test func everythingThePageLoadsIsServed() throws {
        let assets = try Self.assets()
        var references: [String] = []
        for name in try Self.webFiles() {
            let text = try String(contentsOf: Self.web.appendingPathComponent(name), encoding: .utf8)
            let pattern =
                name.hasSuffix(".html") ? #/(?:src|href)="([^"#:]+)"/# : #/(?:from|import) '\./([^']+)'/#
            references += text.matches(of: pattern).map { String($0.output.1) }
        }
        #expect(references.contains("main.js") && references.contains("leaflet/leaflet.js") && references.contains("dom.js"))
        for ref in references { #expect(assets["/" + ref] != nil, "\(ref)") }
    }

    /// The CSP allows no inline script or style: the page must not need any.
    @Test func thePageHasNoInlineScriptOrStyle() throws {
        let html = try String(contentsOf: Self.web.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.matches(of: #/<script\b[^>]*>/#).allSatisfy { $0.output.contains(" src=") })
        #expect(html.firstMatch(of: #/<script[^>]*>[^<]+</script>/#) == nil)
        #expect(html.firstMatch(of: #/\son[a-z]+=|\sstyle=|<style/#) == nil)
        for name in try Self.webFiles() where name.hasSuffix(".js") {
            let js = try String(contentsOf: Self.web.appendingPathComponent(name), encoding: .utf8)
            // No HTML from strings, no Leaflet private members, no eval.
            #expect(js.firstMatch(of: #/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/#) == nil, "\(name)")
            #expect(js.firstMatch(of: #/\.\_[a-zA-Z]/#) == nil, "\(name)")
            #expect(js.firstMatch(of: #/\bvar\b/#) == nil, "\(name)")
        }
    }

    @Test(arguments: [false, true]) func securityHeadersOnEveryResponse(live: Bool) async throws {
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: TileStore(), liveHub: LiveHub(), logger: Fixture.logger)
        try await app.test(live ? .live : .router) { client in
            for (path, status) in [
                ("/", HTTPResponse.Status.ok), ("/main.js", .ok), ("/map.css", .ok), ("/leaflet/leaflet.js", .ok),
                ("/api/servers", .ok), ("/api/servers/nope", .notFound), ("/no/such/page", .notFound),
                ("/healthz", .ok),
            ] {
                try await client.execute(uri: path, method: .get) { r in
                    #expect(r.status == status, "\(path)")
                    #expect(r.headers[HTTPField.Name("Content-Security-Policy")!] == SecurityHeaders().contentSecurityPolicy, "\(path)")
                    #expect(r.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(path)")
                    #expect(r.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(path)")
                }
            }
        }
        let csp = SecurityHeaders().contentSecurityPolicy
        #expect(csp.contains("script-src 'self';") && !csp.contains("unsafe") && csp.hasSuffix("frame-ancestors 'none'"))
    }

    @Test func frameAncestorsAreConfigurableAndOn401() async throws {
        var c = Fixture.configuration()
        c.frameAncestors = "https://wiki.example 'self'"
        c.auth = ViewerAuth(token: "t", users: [:])
        let app = try buildApplication(configuration: c, tileStore: TileStore(), liveHub: LiveHub(), logger: Fixture.logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { r in
                #expect(r.status == .unauthorized)
                let csp = r.headers[HTTPField.Name("Content-Security-Policy")!]
                #expect(csp?.hasSuffix("; frame-ancestors https://wiki.example 'self'") == true, "\(csp ?? "none")")
            }
        }
        #expect(SecurityHeaders.isValidFrameAncestors("'none'"))
        #expect(SecurityHeaders.isValidFrameAncestors("https://a.example https://b.example"))
        for bad in ["", "  ", "'none'; script-src *", "a, b", "a\r\nX-Evil: 1", "é"] {
            #expect(!SecurityHeaders.isValidFrameAncestors(bad), "\(bad)")
        }
    }

    /// The Leaflet the page is tested with is the host's: when this fails, test the page with
    /// the host's Leaflet (the browser tests) and update ``LeafletVersion/tested``.
    @Test func hostLeafletIsTheTestedOne() throws {
        let path = GatewayConfiguration().leafletDirectory + "/leaflet.js"
        let source = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(LeafletVersion.declared(in: source) == LeafletVersion.tested)
        #expect(try LeafletVersion.check(source, path: path) == .tested)
    }

    @Test func leafletVersionsAreReadAndChecked() throws {
        let umd = Array("/* @preserve\n * Leaflet 1.9.4, a JS library\n */\n  var version = \"1.9.4\";\n".utf8)
        #expect(LeafletVersion.declared(in: umd) == LeafletVersion(major: 1, minor: 9, patch: 4))
        #expect(LeafletVersion.declared(in: Array("/* Leaflet 2.0.0-alpha.1, maps */".utf8)) == LeafletVersion(major: 2, minor: 0, patch: 0))
        #expect(LeafletVersion.declared(in: Array("var x = 1;".utf8)) == nil)
        #expect(LeafletVersion("1.6") == LeafletVersion(major: 1, minor: 6, patch: 0))
        #expect(LeafletVersion("one.two") == nil && LeafletVersion("1") == nil && LeafletVersion("1.2.3.4") == nil)
        #expect(try LeafletVersion.check(umd, path: "x") == .untested(LeafletVersion(major: 1, minor: 9, patch: 4)))
        let two = Array("  var version = \"2.0.0\";".utf8)
        #expect(throws: LeafletVersionError(path: "x", found: LeafletVersion(major: 2, minor: 0, patch: 0))) {
            try LeafletVersion.check(two, path: "x")
        }
        #expect(throws: LeafletVersionError(path: "x", found: nil)) { try LeafletVersion.check([], path: "x") }
    }

    /// A host Leaflet of another major version stops the gateway at start-up with both versions.
    @Test func anotherMajorLeafletIsAStartUpError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafkatorio-leaflet-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("/* Leaflet 2.0.0 */\nvar version = \"2.0.0\";\n".utf8).write(to: dir.appendingPathComponent("leaflet.js"))
        var c = Fixture.configuration()
        c.leafletDirectory = dir.path
        do {
            _ = try buildApplication(configuration: c, tileStore: TileStore(), liveHub: LiveHub(), logger: Fixture.logger)
            Issue.record("Leaflet 2.0.0 was accepted")
        } catch {
            #expect(error.found == LeafletVersion(major: 2, minor: 0, patch: 0))
            #expect(error.description.contains("is Leaflet 2.0.0") && error.description.contains("tested with Leaflet 1.6.0"))
        }
        // Another 1.x is served (with a warning).
        try Data("var version = \"1.9.4\";\n".utf8).write(to: dir.appendingPathComponent("leaflet.js"))
        #expect(try Self.assets(leaflet: dir.path)["/leaflet/leaflet.js"] != nil)
    }
}
