import Foundation
import HTTPServer
import Logging
import SREngine
import StudyStore
import UpscaleService

/// The web viewer and the blind study, mounted beside the upscale service's API by `binsr serve`:
///
///     UpscaleService(config: config, ..., site: { ViewerSite(pipeline: $0, logger: logger) })
///
/// The service asks it only about paths its API router does not know (`MountedSite`), and its pages and files are not
/// API (openapi.yaml describes the API; the study's endpoints are documented in docs/viewer.md). Everything it needs
/// from the service comes through the `UpscalePipeline` it is built with: the config (`webRoot`, `study.*`), the
/// codecs, the installed models, and the queued upscale that makes the study's images. The bicubic baseline is
/// answered as `POST /upscale?model=bicubic` (`SiteAnswer.upscale`), so it too runs on the bounded worker queue.
public final class ViewerSite: MountedSite {
    private let router: Router<ViewerRoute>
    /// The header that carries the client's address behind a proxy (`study.clientAddressHeader`; "" = TCP peer).
    private let clientAddressHeader: String

    public init(pipeline: UpscalePipeline, logger: Logger) {
        let config = pipeline.config
        clientAddressHeader = config.study.clientAddressHeader
        var routes: [ViewerRoute]
        do {
            routes = try ViewerRoutes.make(
                study: config.study, webRoot: config.webRoot.isEmpty ? nil : config.webRoot,
                variants: Self.variants(pipeline.models), coder: pipeline.coder, logger: logger,
                upscaler: Self.upscaler(pipeline))
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
        routes.append(ViewerRoutes.bicubic)
        var router = Router<ViewerRoute>()
        for route in routes { router.add(route.method, route.path, route) }
        self.router = router
    }

    static let openAPIWarning =
        "the blind study runs with an open API: a script can guess a pair's sides by re-upscaling a downscaled "
        + "study image with both networks; set API keys for a study whose result matters (docs/security.md)"

    /// The answer for a path of the viewer (405 with Allow for a wrong method); nil when the path is not the viewer's.
    public func respond(to request: Request, _ context: RequestContext) -> SiteAnswer? {
        switch router.resolve(request.method, request.path) {
        case .matched(let route):
            let client = ClientAddress(
                remote: context.remoteAddress, headers: request.headers, trustedHeader: clientAddressHeader)
            return route.handler(request, client)
        case .methodNotAllowed(let allow):
            return .response(ProblemResponse.make(for: ServiceError.methodNotAllowed(allow: allow.map(\.rawValue))))
        case .notFound: return nil
        }
    }

    /// True when some method of `path` is the viewer's (its request bodies must then be read, not refused early).
    public func serves(_ path: String) -> Bool {
        if case .notFound = router.resolve(.get, path) { return false }
        return true
    }

    /// The bicubic baseline upscales the client's image, like `POST /upscale`; pages, files and the study do not
    /// (the study's cost is bounded per client address instead, and its participants have no key).
    public func needsKey(_ path: String) -> Bool { path == ViewerRoutes.bicubicPath }

    /// Architecture/scale combinations with both a real and a binary model: the only pairs the study can show.
    static func variants(_ models: [ModelKey]) -> [StudyCatalog.Variant] {
        let keys = Set(models)
        return keys.filter { $0.weights == .network(StudyModel.real.weightKind) }
            .filter { keys.contains(ModelKey(arch: $0.arch, kind: StudyModel.binary.weightKind, scale: $0.scale)) }
            .map { StudyCatalog.Variant(arch: $0.arch.rawValue, scale: $0.scale) }
            .sorted { ($0.arch, $0.scale) < ($1.arch, $1.scale) }
    }

    /// One study upscale as a job on the service's queue; a full queue is a 503, as for `POST /upscale`.
    static func upscaler(_ pipeline: UpscalePipeline) -> StudyUpscaler {
        return { bytes, arch, scale, model in
            // The pair's architecture came from `variants` (a catalogue entry of the engine's names), so an unknown
            // one is the server's fault, not the voter's.
            guard let architecture = Architecture(rawValue: arch) else {
                throw ServiceError.internalFailure("study pair names an unknown architecture '\(arch)'")
            }
            return try pipeline.upscale(
                bytes, with: ModelKey(arch: architecture, kind: model.weightKind, scale: scale))
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

extension StudyModel {
    /// The engine's weight kind of the network this side of a pair shows. StudyStore keeps its own two-case
    /// vocabulary (it is below the engine and stores these names in its votes), so the two meet here.
    var weightKind: WeightKind {
        switch self {
        case .real: .real
        case .binary: .binary
        }
    }
}
