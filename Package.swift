// swift-tools-version: 6.1
// The folder layout is the architecture: C libraries behind system-library targets, one module per concern,
// and the `binsr` executable that ties them together. See README.md. Linux only: the HTTP server's event loop is
// epoll, and the engine links oneDNN and libgomp as Debian packages them.
import PackageDescription

let package = Package(
    name: "binsr",
    products: [
        .executable(name: "binsr", targets: ["binsr"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", exact: "1.7.3"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        // JSON files, environment and command-line providers only: the Reloading, Logging and YAML traits would add
        // swift-service-lifecycle, swift-metrics' reloading and Yams to every fresh build for nothing we use.
        .package(
            url: "https://github.com/apple/swift-configuration", exact: "1.4.0",
            traits: ["JSON", "CommandLineArguments"]),
        // HTTPTypes only; the default FoundationURL trait serves HTTPTypesFoundation, which we do not link.
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0", traits: []),
    ],
    targets: [
        // C libraries, each imported privately by exactly one Swift module.
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        // epoll and eventfd from the C library (headers only), for the HTTP server's event loop.
        .systemLibrary(name: "CEpoll"),
        // setjmp/longjmp error handling of libpng and libjpeg must stay in C frames (a longjmp across Swift
        // frames is undefined behaviour), so each library gets a small C wrapper that ImageCodecs calls instead.
        // libwebp reports errors by return codes and never jumps, so ImageCodecs calls it directly.
        .target(name: "CPNGShim", dependencies: ["CPNG"]),
        .target(name: "CJPEGShim", dependencies: ["CJPEG"]),
        // The int8 path's element-wise passes (PReLU, max |x|, quantization) as plain C loops the compiler vectorises.
        .target(name: "CQuantize", linkerSettings: [.linkedLibrary("gomp")]),

        // The image value type (planar float) and the bicubic resampler: what codecs, evaluation, engine and
        // service share, with no C library behind it.
        .target(name: "Imaging"),
        // Image decoding/encoding (PNG, JPEG, WebP, EXIF orientation) into planar float images.
        .target(name: "ImageCodecs", dependencies: ["Imaging", "CPNGShim", "CJPEGShim", "CWebP"]),
        // The paper's evaluation protocol: MATLAB bicubic, BT.601 Y, PSNR/SSIM/IFC.
        .target(name: "Evaluation", dependencies: ["ImageCodecs"]),
        // Super-resolution inference: weight files, the models folder and its loaded models (`ModelLibrary`), layers,
        // reference and oneDNN kernels, tiling. Images in and out, no codecs, no evaluation protocol.
        .target(
            name: "SREngine",
            dependencies: ["CDNNL", "CQuantize", "Imaging", .product(name: "Logging", package: "swift-log")]),
        // A small HTTP/1.1 server: non-blocking BSD sockets on an epoll event loop, a handler thread pool;
        // knows nothing about super-resolution.
        .target(
            name: "HTTPServer",
            dependencies: [
                "CEpoll", .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        // The blind user study's vote store (pairs, votes, Wilson intervals) on SQLite through GRDB.
        .target(name: "StudyStore", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        // The upscale service: routes, readiness, worker pool, metrics, config. It meets the engine through its
        // `SuperResolver` seam (the engine's `ModelLibrary` conforms) and names models in the engine's vocabulary;
        // it serves another module's pages beside its API through a small seam (`MountedSite`, `UpscalePipeline`).
        .target(
            name: "UpscaleService",
            dependencies: [
                "HTTPServer", "SREngine", "ImageCodecs", "StudyStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Configuration", package: "swift-configuration"),
            ]
        ),
        // The web viewer and the blind A/B study (pages, static files, /study/*, the bicubic baseline), mounted
        // beside the API by `binsr serve`; it reaches the service only through the seam above, and the engine only
        // for the vocabulary a `ModelKey` is built from (`Architecture`, `WeightKind`).
        .target(
            name: "Viewer",
            dependencies: [
                "HTTPServer", "Imaging", "SREngine", "StudyStore", "UpscaleService",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "binsr",
            dependencies: [
                "ImageCodecs", "Evaluation", "SREngine", "UpscaleService", "Viewer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .target(name: "TestSupport", dependencies: ["ImageCodecs"], path: "Tests/TestSupport"),
        .testTarget(name: "ImageCodecsTests", dependencies: ["ImageCodecs", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestSupport"]),
        .testTarget(
            name: "SREngineTests",
            dependencies: ["SREngine", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"]),
        .testTarget(
            name: "StudyStoreTests",
            dependencies: ["StudyStore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "UpscaleServiceTests",
            dependencies: [
                "UpscaleService", "Viewer", "HTTPServer", "SREngine", "StudyStore", "Imaging", "TestSupport",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]),
        .testTarget(
            name: "ViewerTests",
            dependencies: ["Viewer", "UpscaleService", "SREngine", "HTTPServer", "ImageCodecs", "TestSupport"]),
        .testTarget(name: "binsrTests", dependencies: ["TestSupport"]),
    ]
)
