import Foundation
import HTTPServer
import Logging
import StudyStore

/// Upscales encoded image bytes with one model and returns the result encoded as PNG. The service lends its own
/// pipeline (`UpscalePipeline.upscale`: decode, tiles, engine, encode on its worker queue), so the study sees exactly
/// what `POST /upscale` would return.
typealias StudyUpscaler =
    @Sendable (
        _ image: [UInt8], _ arch: String, _ scale: Int,
        _ model: StudyModel
    ) throws -> [UInt8]

/// The blind study's HTTP endpoints (Ma et al. 2019, section 4.5):
///
///     GET  /study/next          -> {pair_id, left_url, right_url, arch, scale, min_view_seconds} (sets the cookie)
///     GET  /study/image?pair=ID&side=left|right -> image/png
///     POST /study/vote          {pair_id, choice: left|right|same} -> {recorded: true}
///     GET  /study/results.json  -> StudyReport
///
/// The pages /study and /study/results are static files (ViewerAssets). The ballot rules (docs/viewer.md): new
/// sessions and pairs are limited per client address; a vote counts only if its session downloaded both images of
/// the pair and voted at least `minViewSeconds` after the later download.
struct StudyRoutes: Sendable {
    let stores: StudyStoreHandle
    let catalog: StudyCatalog
    let renderer: StudyRenderer
    let rules: StudyRules
    let newSessions: ClientRateLimiter
    let newPairs: ClientRateLimiter
    let logger: Logger

    var routes: [ViewerRoute] {
        [
            ViewerRoute(method: .get, path: "/study/next") { request, client in
                respond(logger) { try next(request, client: client) }
            },
            ViewerRoute(method: .get, path: "/study/image") { request, _ in respond(logger) { try image(request) } },
            ViewerRoute(method: .post, path: "/study/vote") { request, _ in respond(logger) { try vote(request) } },
            ViewerRoute(method: .get, path: "/study/results.json") { _, _ in respond(logger) { try results() } },
        ]
    }

    /// The study's endpoints when it has no pool: 503 saying how to turn it on. Nothing opens the vote database.
    static var off: [ViewerRoute] {
        let problem = ProblemResponse.make(for: StudyHTTPError.off)
        let gets = ["/study/next", "/study/image", "/study/results.json"]
        return gets.map { ViewerRoute(method: .get, path: $0) { _, _ in problem } }
            + [ViewerRoute(method: .post, path: "/study/vote") { _, _ in problem }]
    }

    /// The session's open pair, or a new one; both images are ready in the cache when this returns.
    func next(_ request: Request, client: ClientAddress) throws -> Response {
        let store = try stores.get()
        // Only a session this server issued counts as one: a made-up cookie would otherwise skip the session limit
        // (and choosing one's own session id is session fixation). It gets a fresh id like a first visit.
        let existing = try StudySession.id(in: request).flatMap { try store.hasSession($0) ? $0 : nil }
        if let existing, let open = try store.openPair(session: existing) {
            _ = try renderer.images(open)
            return try pairResponse(open, newSession: false)
        }
        // A request without a valid cookie starts a session: the stuffing attack makes one per vote.
        if existing == nil, let wait = newSessions.admit(client) {
            throw StudyHTTPError.tooManyRequests(what: "new study sessions", retryAfter: wait)
        }
        if let wait = newPairs.admit(client) {
            throw StudyHTTPError.tooManyRequests(what: "study pairs", retryAfter: wait)
        }
        guard let draw = catalog.draw(), let input = catalog.input(named: draw.input) else {
            throw StudyHTTPError.nothingToCompare
        }
        let (crop, cropPNG) = try renderer.cut(input)
        let pair = try store.issuePair(
            session: existing ?? Token.random(), arch: draw.variant.arch, scale: draw.variant.scale,
            input: draw.input, realOnLeft: draw.realOnLeft, crop: crop)
        _ = try renderer.images(pair, cropPNG: cropPNG)
        return try pairResponse(pair, newSession: existing == nil)
    }

    private func pairResponse(_ pair: StudyPair, newSession: Bool) throws -> Response {
        let body: [String: Any] = [
            "pair_id": pair.id, "arch": pair.arch, "scale": pair.scale,
            "left_url": "/study/image?pair=\(pair.id)&side=left",
            "right_url": "/study/image?pair=\(pair.id)&side=right",
            "min_view_seconds": rules.minViewSeconds,
        ]
        var response = try json(body)
        if newSession {
            response.headers.append(HTTPField(name: .setCookie, value: StudySession.setCookie(pair.session)))
        }
        return response
    }

    func image(_ request: Request) throws -> Response {
        guard let session = StudySession.id(in: request) else { throw StudyHTTPError.missingSession }
        guard let pairID = request.head.queryValue("pair") else { throw StudyHTTPError.badRequest("missing pair") }
        guard let side = request.head.queryValue("side").flatMap(StudyChoice.init), side != .same else {
            throw StudyHTTPError.badRequest("side must be left or right")
        }
        // The download is what the ballot rules check: a vote counts only after both sides were fetched.
        let pair = try stores.get().recordImageFetch(pairID: pairID, session: session, side: side)
        let images = try renderer.images(pair)
        // No X-Model or Server-Timing here: the response must not say which network made it; both sides have the
        // same headers and the same length.
        var response = Response(
            status: .ok, headers: [.contentType: "image/png"],
            body: side == .left ? images.left : images.right)
        response.headers[.cacheControl] = "private, max-age=3600"
        ViewerHeaders.apply(to: &response, isPage: false)
        return response
    }

    func vote(_ request: Request) throws -> Response {
        guard let session = StudySession.id(in: request) else { throw StudyHTTPError.missingSession }
        let contentType = request.headers[.contentType]
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
        // The answer reveals neither which side was real nor whether the vote counts (the rules are public).
        try stores.get().vote(pairID: pairID, session: session, choice: choice)
        return try json(["recorded": true])
    }

    func results() throws -> Response {
        let store = try stores.get()
        let report = StudyReport(results: try store.results(), exclusions: try store.exclusions(), rules: rules)
        var response = Response(
            status: .ok, headers: [.contentType: "application/json"], body: try report.json())
        response.headers[.cacheControl] = "no-store"
        return response
    }

    private func json(_ object: Any) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        var response = Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: Array(data))
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// Runs a handler body and turns any thrown error into its problem response. Errors without an HTTP meaning
/// (SQLite failures, for one) become an opaque 500; every 5xx goes to the log with the error's details.
func respond(_ logger: Logger, _ body: () throws -> Response) -> Response {
    do {
        return try body()
    } catch let error as StudyError {
        return ProblemResponse.make(for: StudyHTTPError.study(error))
    } catch {
        let response = ProblemResponse.make(for: error)
        if response.status.kind == .serverError {
            logger.error("study request failed", metadata: ["error": "\(error)"])
        }
        return response
    }
}
