import Foundation

/// Settings of the blind study (`study.*` in the service's config), each with its unit, default and reason. Kept
/// here, below both the service's config (`ServiceConfig.study`, which loads them) and the viewer (which reads them).
public struct StudyConfiguration: Sendable, Equatable {
    /// Folder of the vote database (`study.sqlite3`); created if missing. Default `data` (relative to the working
    /// directory); point it at persistent storage in production.
    public var dataDirectory: String = "data"
    /// The study's private pool of source images (PNG/JPEG, listed once at start). Default "": no pool, and the study
    /// answers 503 saying so. Private because a participant who holds a source image can upscale it through the API
    /// and recognise which side is which; so the folder must not be served (it may not lie inside the web root) and
    /// should hold images that are not published anywhere else (docs/security.md).
    public var inputDirectory: String = ""
    /// Side in pixels of the square crop each pair shows, taken at a random place of a pool image (the whole image
    /// when it is smaller). Default 128: a 512x512 result at x4, about 0.5 s of work for both networks on 2 cores.
    public var cropSize: Int = 128
    /// Seconds a pair accepts its vote after it was issued. Default 3600: long enough for a slow voter, short enough
    /// that harvested pair ids go stale.
    public var pairLifetimeSeconds: Double = 3600
    /// Seconds that must pass between the later of a pair's two image downloads and its vote for the vote to count.
    /// Default 2: a person needs that long to compare two images; a script that votes at once is recorded as
    /// excluded ("too_fast"). The page keeps its buttons disabled for this long.
    public var minViewSeconds: Double = 2
    /// New sessions (first visits without a cookie) per client address per minute. Default 4: a person needs one;
    /// a few more cover a shared address. Beyond it `GET /study/next` answers 429 with Retry-After.
    public var sessionsPerMinute: Int = 4
    /// Pairs issued per client address per minute, across its sessions. Default 30 (one every 2 s, the fastest a
    /// counted vote allows): each pair costs two upscales, and the study is open even when API keys are on.
    public var pairsPerMinute: Int = 30
    /// A request header holding the client's address when the service runs behind a proxy (e.g. `X-Forwarded-For`;
    /// its last entry, the one the nearest proxy added, is used). Default "": the TCP peer. Set it only when every
    /// request comes through such a proxy, or clients can choose their own address.
    public var clientAddressHeader: String = ""
    /// Bytes of rendered pairs kept in memory. Default 128 MiB: a pair at the default crop is ~1 MB at x4.
    public var imageCacheBytes: Int = 128 * 1024 * 1024

    public init() {}

    /// The problems with these values, naming the field (empty when valid).
    public func validationProblems() -> [String] {
        var problems: [String] = []
        func check(_ ok: Bool, _ message: @autoclosure () -> String) { if !ok { problems.append(message()) } }
        check(!dataDirectory.isEmpty, "study.dataDirectory must not be empty")
        check((16...1024).contains(cropSize), "study.cropSize must be 16...1024 (got \(cropSize))")
        check(
            pairLifetimeSeconds > 0 && pairLifetimeSeconds.isFinite,
            "study.pairLifetimeSeconds must be a positive number (got \(pairLifetimeSeconds))")
        check(
            minViewSeconds >= 0 && minViewSeconds < pairLifetimeSeconds,
            "study.minViewSeconds must be 0... and below study.pairLifetimeSeconds (got \(minViewSeconds))")
        check(sessionsPerMinute >= 1, "study.sessionsPerMinute must be at least 1 (got \(sessionsPerMinute))")
        check(pairsPerMinute >= 1, "study.pairsPerMinute must be at least 1 (got \(pairsPerMinute))")
        check(imageCacheBytes >= 0, "study.imageCacheBytes must not be negative (got \(imageCacheBytes))")
        return problems
    }
}
