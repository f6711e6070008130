import Foundation
import HTTPServer
import Logging
import StudyStore

/// A route of the viewer or the study (see `ViewerRoutes.make`).
public struct ViewerRoute: Sendable {
    public let method: HTTPMethod
    public let path: String
    public let handler: @Sendable (HTTPRequest) -> HTTPResponse
}

/// Upscales encoded image bytes with one model and returns the result encoded as PNG. The service passes its own
/// pipeline (decode, tiles, engine, encode), so the study sees exactly what `POST /upscale` would return.
public typealias StudyUpscaler =
    @Sendable (
        _ image: [UInt8], _ arch: String, _ scale: Int,
        _ model: StudyModel
    ) throws -> [UInt8]

/// The blind study's HTTP endpoints (Ma et al. 2019, section 4.5):
///
///     GET  /study/next          -> {pair_id, left_url, right_url, arch, scale}   (sets the session cookie)
///     GET  /study/image?pair=ID&side=left|right -> image/png
///     POST /study/vote          {pair_id, choice: left|right|same} -> {recorded: true}
///     GET  /study/results.json  -> StudyReport
///
/// The pages /study and /study/results are static files (ViewerAssets).
struct StudyRoutes: Sendable {
    let stores: StudyStoreHandle
    let catalog: StudyCatalog
    let upscaler: StudyUpscaler
    let cache: StudyImageCache
    let logger: Logger

    init(
        stores: StudyStoreHandle, catalog: StudyCatalog, imageCacheBytes: Int, logger: Logger,
        upscaler: @escaping StudyUpscaler
    ) {
        self.stores = stores
        self.catalog = catalog
        self.upscaler = upscaler
        self.logger = logger
        cache = StudyImageCache(capacityBytes: imageCacheBytes)
    }

    var routes: [ViewerRoute] {
        [
            ViewerRoute(method: .get, path: "/study/next") { request in respond(logger) { try next(request) } },
            ViewerRoute(method: .get, path: "/study/image") { request in respond(logger) { try image(request) } },
            ViewerRoute(method: .post, path: "/study/vote") { request in respond(logger) { try vote(request) } },
            ViewerRoute(method: .get, path: "/study/results.json") { _ in respond(logger) { try results() } },
        ]
    }

    /// The session's open pair, or a new one; both images are ready in the cache when this returns.
    func next(_ request: HTTPRequest) throws -> HTTPResponse {
        let store = try stores.get()
        let existing = StudySession.id(in: request)
        let session = existing ?? Token.random()
        var pair = try existing.flatMap { try store.openPair(session: $0) }
        if pair == nil {
            guard let draw = catalog.draw() else { throw StudyHTTPError.nothingToCompare }
            pair = try store.issuePair(
                session: session, arch: draw.variant.arch, scale: draw.variant.scale,
                input: draw.input, realOnLeft: draw.realOnLeft)
        }
        guard let pair else { throw StudyHTTPError.nothingToCompare }
        for model in StudyModel.allCases { _ = try rendered(pair, model) }
        let body: [String: Any] = [
            "pair_id": pair.id, "arch": pair.arch, "scale": pair.scale,
            "left_url": "/study/image?pair=\(pair.id)&side=left",
            "right_url": "/study/image?pair=\(pair.id)&side=right",
        ]
        var response = try json(body)
        if existing == nil { response.headers.add("Set-Cookie", StudySession.setCookie(session)) }
        return response
    }

    func image(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let session = StudySession.id(in: request) else { throw StudyHTTPError.missingSession }
        guard let pairID = request.head.queryValue("pair") else { throw StudyHTTPError.badRequest("missing pair") }
        guard let side = request.head.queryValue("side").flatMap(StudyChoice.init), side != .same else {
            throw StudyHTTPError.badRequest("side must be left or right")
        }
        let pair = try stores.get().pair(id: pairID, session: session)
        // No X-Model or Server-Timing here: the response must not say which network made it.
        var response = HTTPResponse(
            status: 200, headers: HTTPHeaders([("Content-Type", "image/png")]),
            body: try rendered(pair, pair.model(on: side)!))
        response.headers.set("Cache-Control", "private, max-age=3600")
        ViewerHeaders.apply(to: &response, isPage: false)
        return response
    }

    func vote(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let session = StudySession.id(in: request) else { throw StudyHTTPError.missingSession }
        let contentType = request.headers["Content-Type"]
        guard contentType.flatMap(MediaType.init)?.essence == "application/json" else {
            throw StudyHTTPError.unsupportedMediaType(contentType)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
            let pairID = object["pair_id"] as? String, let choiceText = object["choice"] as? String
        else {
            throw StudyHTTPError.badRequest("the body must be a JSON object with string fields pair_id and choice")
        }
        guard let choice = StudyChoice(rawValue: choiceText) else {
            throw StudyHTTPError.badRequest("choice must be left, right or same")
        }
        // The answer does not reveal which side was real: a script learns nothing from its own votes.
        try stores.get().vote(pairID: pairID, session: session, choice: choice)
        return try json(["recorded": true])
    }

    func results() throws -> HTTPResponse {
        var response = HTTPResponse(
            status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
            body: try StudyReport(results: stores.get().results()).json())
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// The PNG of `model` for the pair's input, architecture and scale, from the cache or freshly upscaled.
    private func rendered(_ pair: StudyPair, _ model: StudyModel) throws -> [UInt8] {
        let key = "\(pair.input)|\(pair.arch)|\(pair.scale)|\(model.rawValue)"
        if let hit = cache.get(key) { return hit }
        guard let input = catalog.input(named: pair.input),
            let bytes = FileManager.default.contents(atPath: input.url.path)
        else {
            throw StudyHTTPError.inputGone(pair.input)
        }
        let png = try upscaler(Array(bytes), pair.arch, pair.scale, model)
        cache.put(key, png)
        return png
    }

    private func json(_ object: Any) throws -> HTTPResponse {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        var response = HTTPResponse(
            status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
            body: Array(data))
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}

/// Runs a handler body and turns any thrown error into its problem response. Errors without an HTTP meaning
/// (SQLite failures, for one) become an opaque 500; every 5xx goes to the log with the error's details.
func respond(_ logger: Logger, _ body: () throws -> HTTPResponse) -> HTTPResponse {
    do {
        return try body()
    } catch let error as StudyError {
        return ProblemResponse.make(for: StudyHTTPError.study(error))
    } catch {
        let response = ProblemResponse.make(for: error)
        if response.status >= 500 { logger.error("study request failed", metadata: ["error": "\(error)"]) }
        return response
    }
}
