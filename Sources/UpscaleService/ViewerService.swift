import Dispatch
import Foundation
import HTTPServer
import Logging
import StudyStore

/// The viewer and the blind study inside the upscale service. `UpscaleService.init` builds one; `handle` asks it to
/// answer requests whose path the API's router does not know, and `earlyResponse` lets their bodies be read.
///
/// Kept out of the API's router on purpose: openapi.yaml describes the API, and the viewer's pages and files are
/// not API (its study endpoints are documented in docs/viewer.md).
///
/// Study images go through the service's own pipeline (decode, registry, engine, encode) on its worker queue, so
/// the study shows exactly what `POST /upscale` returns and competes fairly with API traffic.
final class ViewerService: Sendable {
    private let router: Router<ViewerRoute>
    /// The header that carries the client's address behind a proxy (`study.clientAddressHeader`; "" = TCP peer).
    private let clientAddressHeader: String

    init(
        config: ServiceConfig, registry: ModelRegistry, coder: any ImageCoding, queue: WorkQueue, logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        clientAddressHeader = config.study.clientAddressHeader
        var routes: [ViewerRoute]
        do {
            routes = try ViewerRoutes.make(
                study: config.study, webRoot: environment["BINSR_WEB_ROOT"], variants: Self.variants(registry),
                coder: coder, logger: logger,
                upscaler: Self.upscaler(config: config, registry: registry, coder: coder, queue: queue))
        } catch {
            // The API keeps serving; the viewer's paths explain what is wrong instead of a bare 404.
            logger.error("viewer and study disabled", metadata: ["reason": "\(error)"])
            routes = Self.unavailableRoutes(reason: "\(error)")
        }
        if !config.study.inputDirectory.isEmpty && !config.auth.isEnabled {
            // Measured (docs/security.md): downscaling a study image and upscaling it with both networks through the
            // open API names the real side 15 times in 16. Keys close that route for participants.
            logger.warning("\(Self.openAPIWarning)")
        }
        routes.append(ViewerBicubic.route(config: config, coder: coder))
        var router = Router<ViewerRoute>()
        for route in routes { router.add(route.method, route.path, route) }
        self.router = router
    }

    static let openAPIWarning =
        "the blind study runs with an open API: a script can guess a pair's sides by re-upscaling a downscaled "
        + "study image with both networks; set API keys for a study whose result matters (docs/security.md)"

    /// The answer for a path of the viewer (405 with Allow for a wrong method); nil when the path is not the viewer's.
    func respond(to request: Request, _ context: RequestContext) -> Response? {
        switch router.resolve(request.method, request.path) {
        case .matched(let route):
            let client = ClientAddress(
                remote: context.remoteAddress, headers: request.headers, trustedHeader: clientAddressHeader)
            return route.handler(request, client)
        case .methodNotAllowed(let allow):
            return ProblemResponse.make(for: ServiceError.methodNotAllowed(allow: allow.map(\.rawValue)))
        case .notFound: return nil
        }
    }

    /// True when some method of `path` is the viewer's (its request bodies must then be read, not refused early).
    func serves(_ path: String) -> Bool {
        if case .notFound = router.resolve(.get, path) { return false }
        return true
    }

    /// Architecture/scale combinations with both a real and a binary model: the only pairs the study can show.
    static func variants(_ registry: ModelRegistry) -> [StudyCatalog.Variant] {
        let keys = Set(registry.models.map(\.info.key))
        return keys.filter { $0.weights == StudyModel.real.rawValue }
            .filter { keys.contains(ModelKey(arch: $0.arch, weights: StudyModel.binary.rawValue, scale: $0.scale)) }
            .map { StudyCatalog.Variant(arch: $0.arch, scale: $0.scale) }
            .sorted { ($0.arch, $0.scale) < ($1.arch, $1.scale) }
    }

    /// Runs one study upscale as a job on the service's queue and waits for it; a full queue is a 503, as for
    /// `POST /upscale`.
    static func upscaler(
        config: ServiceConfig, registry: ModelRegistry, coder: any ImageCoding,
        queue: WorkQueue
    ) -> StudyUpscaler {
        return { bytes, arch, scale, model in
            let parameters = UpscaleParameters(
                key: ModelKey(arch: arch, weights: model.rawValue, scale: scale),
                format: .png, quality: config.jpegQuality)
            let job = UpscaleJob(
                encoded: bytes, parameters: parameters, outputFormat: .png, config: config,
                coder: coder, registry: registry)
            let outcome = Completion<Result<UpscaleJob.Output, ServiceError>>()
            let work = { @Sendable in Result { () throws(ServiceError) in try job.run() } }
            guard queue.submit(work, deliver: outcome.fulfil) != nil else {
                throw ServiceError.queueFull(depth: queue.capacity, retryAfter: config.retryAfterSeconds)
            }
            return try outcome.wait().get().bytes
        }
    }

    /// Routes that answer 503 with the setup error, so the operator sees why `/` does not show the viewer.
    static func unavailableRoutes(reason: String) -> [ViewerRoute] {
        let problem = ProblemResponse.make(
            status: .serviceUnavailable, title: "Viewer unavailable", detail: reason, headers: [:],
            close: false, requestID: nil)
        let gets = ["/", "/study", "/study/results", "/study/next", "/study/image", "/study/results.json"]
        return gets.map { ViewerRoute(method: .get, path: $0) { _, _ in problem } }
            + [ViewerRoute(method: .post, path: "/study/vote") { _, _ in problem }]
    }
}
