import MapGatewayCore
import Hummingbird
import Shared

/// `GET|HEAD /tiles/{server}/{surface}/inspect/3/{x}/{y}.json`: a chunk's interactivity grid
/// (``InspectGridStore``), with a strong ETag and `Cache-Control: no-cache` like a tile (the page
/// fetches it on a click; a repeated click costs a 304). Missing: 404 (nothing to inspect there);
/// a bad component: 400 naming it.
struct InspectGridRoutes<Context: RequestContext> {
    let grids: InspectGridStore

    func register(on router: some RouterMethods<Context>) {
        router.get("tiles/:server/:surface/:layer/:z/:x/{y}.json") { request, context in
            try self.serve(request, context)
        }
    }

    func serve(_ request: Request, _ context: Context) throws(GatewayError) -> Response {
        guard let c = TileRoutes<Context>.components(context.parameters) else { throw .notFound }
        let key = try InspectGridKey.fromURLComponents(server: c.server, surface: c.surface, layer: c.layer, z: c.z, x: c.x, y: c.y)
        guard let grid = grids.get(key) else {
            return Response(
                status: .notFound, headers: TileAnswers.notFoundHeaders,
                body: .init(byteBuffer: ByteBuffer(string: "nothing to inspect here\n")))
        }
        if request.headers[.ifNoneMatch] != nil, ConditionalRequest.ifNoneMatchMatches(request.headers, eTag: grid.eTag) {
            return Response(status: .notModified, headers: grid.notModifiedHeaders)
        }
        return Response(status: .ok, headers: grid.okHeaders, body: .init(byteBuffer: grid.bytes))
    }
}
