import HTTPServer

/// Pages and endpoints that another module serves beside the API: the web viewer and the blind study (module
/// Viewer), which `binsr serve` mounts through `UpscaleService.init(..., site:)`.
///
/// The service asks the site only about paths its API router does not know, so openapi.yaml and its contract test
/// keep describing the API alone. The site reaches the service only through what it is handed: this protocol, the
/// `UpscalePipeline` it is built with, and `SiteAnswer.upscale`.
public protocol MountedSite: Sendable {
    /// True when some method of `path` is the site's; its request bodies are then read instead of refused at head
    /// time as an unknown path.
    func serves(_ path: String) -> Bool
    /// True when `path` spends the server's CPU on a client's image, so it needs an API key like `POST /upscale`
    /// (`AccessPolicy`). Decided from the path alone, before the body is read.
    func needsKey(_ path: String) -> Bool
    /// The answer for a request to one of the site's paths; nil when the path is not the site's (then 404).
    func respond(to request: Request, _ context: RequestContext) -> SiteAnswer?
}

/// How a mounted site answers a request.
public enum SiteAnswer: Sendable {
    /// The site's own response.
    case response(Response)
    /// Answer as `POST /upscale` answers this request (the site's rewrite of the client's, e.g. with
    /// `model=bicubic`): the same parameter and upload parsing, the same job on the bounded worker queue (a full
    /// queue is a 503), the same headers, metrics and problem responses.
    case upscale(Request)
}
