import Foundation
import HTTPServer
import Logging
import StudyStore

/// Everything the viewer and the blind study add to the service, built in one call so that the service's route
/// table needs one small loop:
///
///     for route in try ViewerRoutes.make(study: config.study, webRoot: config.webRoot, variants: ...,
///                                        logger: logger, upscaler: ...) {
///         router.add(route.method, route.path, route.handler)
///     }
///
/// Routes: GET / (viewer), GET /study, GET /study/results (pages), GET /static/... (scripts, styles, samples),
/// and the study's JSON and image endpoints (StudyRoutes).
public enum ViewerRoutes {
    /// Loads web/, lists the study inputs (bundled samples plus the operator's folder) and returns every route.
    /// Throws when web/ or the input folder is unusable. The vote database opens on the first study request
    /// (StudyStoreHandle), so a service nobody votes on writes nothing.
    public static func make(
        study configuration: StudyConfiguration, webRoot: String?,
        variants: [StudyCatalog.Variant], logger: Logger,
        upscaler: @escaping StudyUpscaler
    ) throws -> [ViewerRoute] {
        let problems = configuration.validationProblems()
        guard problems.isEmpty else { throw ViewerSetupError.invalidConfiguration(problems) }
        let assets = try ViewerAssets.locate(explicit: webRoot)
        var folders: [(label: String, directory: URL)] = [("samples", assets.samplesDirectory)]
        if let extra = configuration.inputDirectory { folders.append(("inputs", URL(fileURLWithPath: extra))) }
        let catalog = try StudyCatalog.scan(folders: folders, variants: variants)
        let stores = StudyStoreHandle(
            directory: URL(fileURLWithPath: configuration.dataDirectory),
            pairLifetime: configuration.pairLifetimeSeconds)
        logger.info(
            "viewer and study ready",
            metadata: [
                "webRoot": "\(assets.root.path)", "studyDatabase": "\(stores.databasePath)",
                "studyInputs": "\(catalog.inputs.count)", "studyVariants": "\(variants.count)",
            ])
        let study = StudyRoutes(
            stores: stores, catalog: catalog, imageCacheBytes: configuration.imageCacheBytes,
            logger: logger, upscaler: upscaler)
        return assetRoutes(assets) + study.routes
    }

    /// One GET route per file: the router matches exact paths, and a fixed list leaves nothing to traverse.
    public static func assetRoutes(_ assets: ViewerAssets) -> [ViewerRoute] {
        assets.byPath.keys.sorted().map { path in
            let response = assets.response(for: assets.byPath[path]!)
            return ViewerRoute(method: .get, path: path) { _ in response }
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
