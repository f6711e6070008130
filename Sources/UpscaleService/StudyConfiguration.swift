import Foundation

/// Settings of the blind study, each with its unit, default and reason (the service reads them from its config).
public struct StudyConfiguration: Sendable, Equatable {
    /// Folder of the vote database (`study.sqlite3`); created if missing. Default `data` (relative to the working
    /// directory); point it at persistent storage in production.
    public var dataDirectory: String = "data"
    /// An extra folder of PNG/JPEG inputs for the study, besides the bundled samples. Default none.
    public var inputDirectory: String?
    /// Seconds a pair accepts its vote after it was issued. Default 3600: long enough for a slow voter, short enough
    /// that harvested pair ids go stale.
    public var pairLifetimeSeconds: Double = 3600
    /// Bytes of upscaled PNGs kept in memory for the study. Default 128 MiB: every sample at every model and scale
    /// (4 inputs x 2 archs x 2 scales x 2 models, each at most ~0.8 MB at 512x512) many times over.
    public var imageCacheBytes: Int = 128 * 1024 * 1024

    public init() {}

    /// The problems with these values, naming the field (empty when valid).
    public func validationProblems() -> [String] {
        var problems: [String] = []
        if dataDirectory.isEmpty { problems.append("study dataDirectory must not be empty") }
        if !(pairLifetimeSeconds > 0 && pairLifetimeSeconds.isFinite) {
            problems.append("study pairLifetimeSeconds must be a positive number (got \(pairLifetimeSeconds))")
        }
        if imageCacheBytes < 0 {
            problems.append("study imageCacheBytes must not be negative (got \(imageCacheBytes))")
        }
        return problems
    }
}
