import HTTPServer

/// Which requests need an API key, decided from the path alone, in one place.
///
/// Protected: everything that spends the server's CPU on a client's image or describes the deployment, i.e.
/// `POST /upscale`, every `/v1/` path (known or not, so a 401 comes before a 404 and route names do not leak), the
/// mounted site's paths that say so (the viewer's `POST /viewer/bicubic`), and `/metrics` when
/// `metrics.requireApiKey` says so. Open: `/healthz` and `/readyz` (probes carry no key), the viewer's pages and
/// files, and the study (its cost is bounded per client address by `study.sessionsPerMinute` and
/// `study.pairsPerMinute`; participants have no key). docs/security.md explains why.
struct AccessPolicy: Sendable {
    let authenticator: APIKeyAuthenticator
    let metricsNeedKey: Bool
    let site: (any MountedSite)?

    init(config: ServiceConfig, site: (any MountedSite)? = nil) {
        authenticator = APIKeyAuthenticator(keys: config.auth.keys)
        metricsNeedKey = config.metrics.requireApiKey
        self.site = site
    }

    func needsKey(_ path: String) -> Bool {
        path == "/upscale" || path.hasPrefix("/v1/") || (path == "/metrics" && metricsNeedKey)
            || site?.needsKey(path) == true
    }

    /// Throws `AuthError` when the path is protected, keys are on and the request has no valid key.
    func authorize(_ head: HTTPRequestHead) throws(AuthError) {
        guard needsKey(head.path) else { return }
        try authenticator.authenticate(head.headers)
    }
}
