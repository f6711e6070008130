import Foundation
import HTTPServer
import Logging
import StudyStore
import UpscaleService

/// A route of the viewer or the study (see `ViewerRoutes.make`). The handler gets the client's address, which the
/// study's per-client limits count against.
struct ViewerRoute: Sendable {
    let method: HTTPRequest.Method
    let path: String
    let handler: @Sendable (Request, ClientAddress) -> SiteAnswer

    /// A route that answers by itself.
    init(method: HTTPRequest.Method, path: String, handler: @escaping @Sendable (Request, ClientAddress) -> Response) {
        self.method = method
        self.path = path
        self.handler = { request, client in .response(handler(request, client)) }
    }

    /// A route that may hand its request to the service's upscale path (`SiteAnswer.upscale`).
    init(method: HTTPRequest.Method, path: String, answer: @escaping @Sendable (Request, ClientAddress) -> SiteAnswer) {
        self.method = method
        self.path = path
        self.handler = answer
    }
}

/// Everything the viewer and the blind study serve, built in one call. Routes: GET / (viewer), GET /study,
/// GET /study/results (pages), GET /static/... (scripts, styles, samples), POST /viewer/bicubic (the baseline), and
/// the study's JSON and image endpoints (StudyRoutes).
enum ViewerRoutes {
    static let bicubicPath = "/viewer/bicubic"

    /// `POST /viewer/bicubic?scale=2|4`: the viewer's bicubic baseline, answered as
    /// `POST /upscale?model=bicubic&scale=N&format=png`, i.e. as a job on the service's bounded worker queue.
    ///
    /// A browser canvas with `imageSmoothingQuality = "high"` is not bicubic in any specified sense, so the baseline
    /// panel would lie; `model=bicubic` is MATLAB `imresize(x, s, 'bicubic')` (`Imaging.BicubicUpscale`, checked
    /// against the evaluation protocol's `imresize`). Only `scale` is taken from the client's query (absent: the
    /// service's `defaultScale`; anything but 2 or 4 is refused as for `/upscale`); the result is always PNG.
    static let bicubic = ViewerRoute(method: .post, path: bicubicPath) { request, _ in
        var forwarded = request
        forwarded.head.query = [("model", "bicubic"), ("format", "png")]
        if let scale = request.head.queryValue("scale") { forwarded.head.query.append(("scale", scale)) }
        return .upscale(forwarded)
    }

    /// Loads web/, lists the study's private pool and returns every route but the baseline. Throws when web/ or the
    /// pool is unusable. Without a pool (`study.inputDirectory` empty) the study's endpoints answer 503 saying so.
    /// The vote database opens on the first study request (StudyStoreHandle), so a service nobody votes on writes
    /// nothing.
    static func make(
        study configuration: StudyConfiguration, webRoot: String?, variants: [StudyCatalog.Variant],
        coder: any ImageCoding, logger: Logger, upscaler: @escaping StudyUpscaler
    ) throws -> [ViewerRoute] {
        let problems = configuration.validationProblems()
        guard problems.isEmpty else { throw ViewerSetupError.invalidConfiguration(problems) }
        let assets = try ViewerAssets.locate(explicit: webRoot)
        guard !configuration.inputDirectory.isEmpty else {
            logger.info("viewer ready; the blind study is off (study.inputDirectory is empty)")
            return assetRoutes(assets) + StudyRoutes.off
        }
        let catalog = try pool(configuration, assets: assets, variants: variants)
        let stores = StudyStoreHandle(
            directory: URL(fileURLWithPath: configuration.dataDirectory),
            pairLifetime: configuration.pairLifetimeSeconds, minViewSeconds: configuration.minViewSeconds)
        logger.info(
            "viewer and study ready",
            metadata: [
                "webRoot": "\(assets.root.path)", "studyDatabase": "\(stores.databasePath)",
                "studyInputs": "\(catalog.inputs.count)", "studyVariants": "\(variants.count)",
            ])
        let study = StudyRoutes(
            stores: stores, catalog: catalog,
            renderer: StudyRenderer(
                catalog: catalog, coder: coder, upscaler: upscaler,
                cache: StudyImageCache(capacityBytes: configuration.imageCacheBytes), cropSize: configuration.cropSize),
            rules: StudyRules(
                minViewSeconds: configuration.minViewSeconds, sessionsPerMinute: configuration.sessionsPerMinute,
                pairsPerMinute: configuration.pairsPerMinute),
            newSessions: ClientRateLimiter(perMinute: configuration.sessionsPerMinute),
            newPairs: ClientRateLimiter(perMinute: configuration.pairsPerMinute), logger: logger)
        return assetRoutes(assets) + study.routes
    }

    /// The study's inputs: the private pool only. The bundled samples are public (`/static/samples/`), so a pair made
    /// from one could be reproduced with `POST /upscale` and unblinded; a pool inside the web root would be public too.
    static func pool(
        _ configuration: StudyConfiguration, assets: ViewerAssets, variants: [StudyCatalog.Variant]
    ) throws -> StudyCatalog {
        let folder = URL(fileURLWithPath: configuration.inputDirectory).standardizedFileURL.resolvingSymlinksInPath()
        let web = assets.root.standardizedFileURL.resolvingSymlinksInPath()
        if (folder.path + "/").hasPrefix(web.path + "/") {
            throw ViewerSetupError.invalidConfiguration([
                "study.inputDirectory \(folder.path) is inside the web root \(web.path), whose files are public; "
                    + "the study's images must be private"
            ])
        }
        return try StudyCatalog.scan(folders: [("pool", folder)], variants: variants)
    }

    /// One GET route per file: the router matches exact paths, and a fixed list leaves nothing to traverse.
    static func assetRoutes(_ assets: ViewerAssets) -> [ViewerRoute] {
        assets.byPath.keys.sorted().map { path in
            let response = assets.response(for: assets.byPath[path]!)
            return ViewerRoute(method: .get, path: path) { _, _ in response }
        }
    }
}

/// Why the viewer and study could not be set up.
public enum ViewerSetupError: Error, CustomStringConvertible, Equatable {
    case invalidConfiguration([String])

    public var description: String {
        switch self {
        case .invalidConfiguration(let problems): "invalid study configuration: " + problems.joined(separator: "; ")
        }
    }
}
