// libFuzzer target for the tile fast path's request parser (`make fuzz`, scripts/fuzz.sh). Compiled
// with the parser's files from Sources/MapGatewayCore (TileRequestParser, TileFastPathMachine,
// TileAddress, ConditionalRequest, GatewayError) against the Shared module.
//
// The invariant: for every input, the parser either hands the request over (`.other`, or
// `.incomplete` while no head is complete) or answers exactly what the router would answer. The
// router's answer is derived here independently of the parser, from the raw bytes: the head is cut
// at the first blank line, split into lines and fields the plain way, judged as NIO's HTTP/1.1
// parser judges it (field names are tokens, values have no control character but HTAB, at most one
// Content-Length), its target routed as Hummingbird's trie routes it (the path before `?` split on
// `/`, empty components dropped, `<base>tiles/:server/:surface/:layer/:z/:x/{y}.png`), and then
// the router's own pure decisions are applied: ``TileKey/fromURLComponents`` for the address and
// ``ConditionalRequest/ifNoneMatchMatches(_:eTag:)`` over every If-None-Match value for 304/200.
// A fixed store holds two tiles, so 404, 304 and 200 all occur.
//
// Also: ``TileFastPathMachine`` run over the same bytes (pipelined requests) answers the requests
// the parser answers, in order, consuming exactly their heads, and ends (waits or hands over)
// after a bounded number of steps.

#if canImport(Glibc)
import Glibc
#endif
import Shared

/// Reports an invariant violation on stderr (the message survives -O) and crashes.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    guard !condition else { return }
    let bytes = Array("invariant violated: \(message())\n".utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    abort()
}

/// Two stored tiles and their ETags (what the fast path and the router look up).
let storedTiles: [String: String] = [
    "srv/nauvis/terrain/3/0/0": "\"aaaa\"",
    "srv/space platform/buildings/-2/-1/3": "\"bbbb\"",
]

/// What the router answers for a tile request: its status and, for 200/304, the tile.
enum RouterAnswer: Equatable {
    case tile(key: String, status: Int, isHead: Bool)
    /// Anything but a tile answer from the tile route (400 from the HTTP parser or the route's
    /// validation, another route, a WebSocket upgrade, ...).
    case notATileAnswer
}

func answer(key: TileKey, isHead: Bool, ifNoneMatch: [String]) -> RouterAnswer {
    guard let eTag = storedTiles[key.string] else { return .tile(key: key.string, status: 404, isHead: isHead) }
    let status = ConditionalRequest.ifNoneMatchMatches(ifNoneMatch, eTag: eTag) ? 304 : 200
    return .tile(key: key.string, status: status, isHead: isHead)
}

func isTokenChar(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
    default: "!#$%&'*+-.^_`|~".utf8.contains(c)
    }
}

/// The router's answer for the request head `head` (without its blank line), derived independently.
func routerAnswer(head: [UInt8], basePath: String) -> RouterAnswer {
    var lines: [[UInt8]] = []
    var current: [UInt8] = []
    var i = 0
    while i < head.count {
        if head[i] == 0x0D, i + 1 < head.count, head[i + 1] == 0x0A {
            lines.append(current)
            current = []
            i += 2
        } else {
            current.append(head[i])
            i += 1
        }
    }
    if !current.isEmpty { lines.append(current) }
    guard let requestLine = lines.first else { return .notATileAnswer }
    let words = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
    guard words.count == 3, words[2].elementsEqual("HTTP/1.1".utf8) else { return .notATileAnswer }
    let method = String(decoding: words[0], as: UTF8.self)
    guard method == "GET" || method == "HEAD" else { return .notATileAnswer }
    let target = String(decoding: words[1], as: UTF8.self)
    guard words[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return .notATileAnswer }
    var ifNoneMatch: [String] = []
    var contentLengths = 0
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return .notATileAnswer }
        let name = line[..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenChar) else { return .notATileAnswer }
        let rawValue = line[(colon + 1)...]
        guard rawValue.allSatisfy({ $0 >= 0x20 || $0 == 0x09 }) else { return .notATileAnswer }
        let value = String(decoding: rawValue, as: UTF8.self).trimmingSpaces()
        switch String(decoding: name, as: UTF8.self).lowercased() {
        case "content-length":
            contentLengths += 1
            guard contentLengths == 1, value == "0" else { return .notATileAnswer }
        case "transfer-encoding", "upgrade", "expect": return .notATileAnswer
        case "connection":
            let tokens = value.lowercased().split(separator: ",").map { String($0).trimmingSpaces() }
            if tokens.contains("close") || tokens.contains("upgrade") { return .notATileAnswer }
        case "if-none-match": ifNoneMatch.append(value)
        default: break
        }
    }
    // Hummingbird: the path is the target up to `?`; the trie splits it on `/`, dropping empty parts.
    let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    guard path.hasPrefix("/") else { return .notATileAnswer }
    let parts = path.split(separator: "/").map(String.init)
    let base = basePath.split(separator: "/").map(String.init)
    guard parts.count == base.count + 7, Array(parts.prefix(base.count)) == base, parts[base.count] == "tiles" else {
        return .notATileAnswer
    }
    let p = Array(parts.suffix(6))
    guard p[5].hasSuffix(".png"), p[5].count > 4 else { return .notATileAnswer }
    guard let key = try? TileKey.fromURLComponents(
        server: p[0], surface: p[1], layer: p[2], z: p[3], x: p[4], y: String(p[5].dropLast(4)))
    else { return .notATileAnswer }  // the route's 400
    return answer(key: key, isHead: method == "HEAD", ifNoneMatch: ifNoneMatch)
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

/// The offset just past the first blank line (`\r\n\r\n`) of `bytes`, if any.
func headEnd(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for i in 0...(bytes.count - 4) where bytes[i] == 0x0D && bytes[i + 1] == 0x0A && bytes[i + 2] == 0x0D && bytes[i + 3] == 0x0A {
        return i + 4
    }
    return nil
}

func check(_ bytes: [UInt8], basePath: String) {
    let prefix = basePath + "tiles/"
    let parsed = bytes.withUnsafeBytes { TileRequestParser.parse($0, prefix: prefix) }
    let end = headEnd(bytes)
    switch parsed {
    case .incomplete:
        require(end == nil, "a complete head reported incomplete")
    case .other:
        require(end != nil, "an incomplete head reported as another request")
    case .tile(let request, let length):
        require(length == end, "head length \(length), the blank line ends at \(String(describing: end))")
        let expected = routerAnswer(head: Array(bytes[..<(length - 4)]), basePath: basePath)
        let got = answer(key: request.key, isHead: request.isHead, ifNoneMatch: request.ifNoneMatch.map { [$0] } ?? [])
        require(
            got == expected,
            "fast path answers \(got), the router \(expected): \(String(decoding: bytes[..<length], as: UTF8.self).debugDescription)")
    }
}

/// Runs the machine over `bytes` (every request pipelined): each answer is the parser's for the
/// bytes at that point, and the machine stops within a bounded number of steps.
func checkMachine(_ bytes: [UInt8], basePath: String) {
    var machine = TileFastPathMachine(prefix: basePath + "tiles/", maxPipelined: 3)
    var offset = 0
    for _ in 0..<(bytes.count + 64) {
        let step = bytes.withUnsafeBytes { machine.next(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
        switch step {
        case .answer(let request, let consumed):
            let alone = bytes.withUnsafeBytes { TileRequestParser.parse(UnsafeRawBufferPointer(rebasing: $0[offset...]), prefix: basePath + "tiles/") }
            require(alone == .tile(request, length: consumed), "the machine answered what the parser does not")
            offset += consumed
        case .flushAndNotify:
            _ = machine.flushCompleted(success: true)
        case .flush, .read: continue
        case .wait, .handOver, .close: return
        }
    }
    require(false, "the machine did not stop")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTileRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // The first byte picks the base path, so both the root and a prefix are explored.
    guard size > 0 else { return 0 }
    let basePath = data[0] & 1 == 0 ? "/" : "/map/"
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    check(bytes, basePath: basePath)
    checkMachine(bytes, basePath: basePath)
    return 0
}
