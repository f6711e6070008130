import Foundation
import HTTPServer
import SREngine
import StudyStore

/// Every setting of the service, with its unit, default and reason. Sources, lowest precedence first: defaults,
/// config/binsr.json, BINSR_* environment variables, command-line flags (`ConfigLoader` merges them). Unknown keys
/// are errors, never ignored: a typo must not silently fall back to a default.
public struct ServiceConfig: Sendable, Equatable {
    /// Address to bind. Default 0.0.0.0 (all IPv4 interfaces; put a proxy in front for TLS).
    public var host = "0.0.0.0"
    /// TCP port. Default 8080; 0 picks a free port (tests).
    public var port = 8080
    /// Inference threads. Default 0 = one per CPU core: inference is CPU-bound, more threads only contend.
    public var workers = 0
    /// Requests that may wait for a worker. Default 16; beyond that 503 + Retry-After at once, because a long queue
    /// only turns overload into timeouts.
    public var queueDepth = 16
    /// Seconds a 503 asks the client to wait (Retry-After). Default 1.
    public var retryAfterSeconds = 1
    /// Scale when the request has none (2 or 4). Default 2.
    public var defaultScale = 2
    /// Weights when the request has none ("binary" or "real"). Default binary, the point of the service.
    public var defaultModel = WeightKind.binary
    /// Architecture when the request has none ("srresnet" or "lapsrn"). Default srresnet.
    public var defaultArch = Architecture.srresnet
    /// Largest input in pixels (width x height). Default 4 MP: x4 output is then 64 MP, ~770 MB of float planes.
    public var maxInputPixels = 4_000_000
    /// JPEG and lossy WebP quality 1...100 when the request has none. Default 90. (The key keeps its name from
    /// before WebP so existing config files stay valid.)
    public var jpegQuality = 90
    /// zlib level 0...9 for PNG output. Default 3: on a 1104x1104 x4 output (Set14 image, Pillow/zlib) level 3
    /// took 145 ms and 1248 KiB, level 6 499 ms and 1114 KiB, level 1 107 ms and 1324 KiB; with the bf16 engine
    /// level 6 would make encoding slower than inference.
    public var pngCompressionLevel = 3
    /// Engine precision: "auto" (per model, the fastest mode within the model's 0.02 dB quality gate, measured on
    /// this CPU and cached), "fp32", "bf16", "int8" (binary layers only), "bf16-all" or "int8-bf16". Default auto.
    public var precision = "auto"
    /// Activation memory of one upscale in MiB: an image that fits runs in one pass, a larger one in the largest
    /// tiles that fit. Default 512 (two workers fit the Deployment's 2560 MiB with their images).
    public var tileMemoryBudgetMiB = 512
    /// Where `auto` caches its measured choices; empty: `BINSR_PRECISION_CACHE` or `~/.cache/binsr/precision.json`.
    public var precisionCache = ""
    /// "eager": load every model at start (readiness waits for it); "lazy": load on first use. Default eager.
    public var modelLoading = "eager"
    /// Seconds to finish in-flight and queued work after SIGTERM/SIGINT before cutting connections. Default 30.
    public var shutdownGraceSeconds = 30.0
    /// swift-log level: trace, debug, info, notice, warning, error, critical. Default info.
    public var logLevel = "info"
    /// Directory of `<arch>_x<scale>_<real|binary>.safetensors` weight files, as `binsr models` reads them.
    /// Default "models".
    public var modelsDirectory = "models"
    /// The HTTP layer's limits (sizes, timeouts, connections).
    public var http = ServerLimits()
    /// API keys (off by default) and where they come from.
    public var auth = AuthConfiguration()
    /// Where `/metrics` is served and whether it needs a key.
    public var metrics = MetricsConfiguration()
    /// The folder of the viewer's pages, scripts and sample images (the repository's `web/`), read once at start
    /// by the mounted viewer (module Viewer). Default "": a `web` folder beside or above the executable (a build
    /// under `.build/` finds the checkout's), else `./web` (the container's working directory `/app`).
    public var webRoot = ""
    /// The blind study: its pool of images, ballot rules and limits per client (`StudyStore.StudyConfiguration`,
    /// read by the mounted viewer).
    public var study = StudyConfiguration()
    /// Asynchronous jobs (`/v1/jobs`): where results go, their byte budget and lifetime, how many jobs are held.
    public var jobs = JobsConfiguration()

    public init() {}

    /// Worker threads after resolving 0 to the core count.
    public var resolvedWorkers: Int { workers > 0 ? workers : ProcessInfo.processInfo.activeProcessorCount }

    /// Every problem with the values, as messages naming the key (empty when valid).
    public func validationProblems() -> [String] {
        var problems = http.validationProblems().map { "http." + $0 }
        problems += auth.validationProblems() + metrics.validationProblems(mainPort: port)
        problems += study.validationProblems() + jobs.validationProblems()
        func check(_ ok: Bool, _ message: @autoclosure () -> String) { if !ok { problems.append(message()) } }
        check((0...65535).contains(port), "port must be 0...65535 (got \(port))")
        check(!host.isEmpty, "host must not be empty")
        check((0...1024).contains(workers), "workers must be 0 (one per core) ... 1024 (got \(workers))")
        check((1...100_000).contains(queueDepth), "queueDepth must be 1...100000 (got \(queueDepth))")
        check((0...3600).contains(retryAfterSeconds), "retryAfterSeconds must be 0...3600 (got \(retryAfterSeconds))")
        check([2, 4].contains(defaultScale), "defaultScale must be 2 or 4 (got \(defaultScale))")
        check(maxInputPixels > 0, "maxInputPixels must be positive (got \(maxInputPixels))")
        check((1...100).contains(jpegQuality), "jpegQuality must be 1...100 (got \(jpegQuality))")
        check((0...9).contains(pngCompressionLevel), "pngCompressionLevel must be 0...9 (got \(pngCompressionLevel))")
        check(
            (16...65536).contains(tileMemoryBudgetMiB),
            "tileMemoryBudgetMiB must be 16...65536 (got \(tileMemoryBudgetMiB))")
        check(
            ["auto", "fp32", "bf16", "int8", "bf16-all", "int8-bf16"].contains(precision),
            "precision must be auto, fp32, bf16, int8, bf16-all or int8-bf16 (got \(precision))")
        check(["eager", "lazy"].contains(modelLoading), "modelLoading must be eager or lazy (got \(modelLoading))")
        check(
            shutdownGraceSeconds >= 0 && shutdownGraceSeconds.isFinite,
            "shutdownGraceSeconds must be >= 0 (got \(shutdownGraceSeconds))")
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        check(levels.contains(logLevel), "logLevel must be one of \(levels.joined(separator: ", ")) (got \(logLevel))")
        return problems
    }
}
