import ArgumentParser
import Foundation
import ImageCodecs
import SREngine

#if canImport(Glibc)
    import Glibc
#endif

/// `binsr upscale IN -o OUT`: decode, run the chosen network tile by tile, encode by the output's extension.
struct UpscaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upscale",
        abstract: "Upscale a PNG, JPEG or WebP image with a (binarized) SRResNet or LapSRN.",
        discussion: """
            The weights file is <models-dir>/<arch>_x<scale>_<weights>.safetensors (LapSRN x2: else the x4 file's first
            level). Alpha is upscaled bicubically,
            grayscale stays grayscale, and a 16-bit PNG stays 16-bit when written as PNG (JPEG output is 8-bit
            and composited over white; WebP output is 8-bit RGB and keeps alpha).
            """
    )

    @Argument(help: "Input PNG, JPEG or WebP (still, not animated).")
    var input: String
    @Option(name: .shortAndLong, help: "Output file (.png, .jpg, .jpeg or .webp).")
    var output: String
    @Option(help: "Upscaling factor: 2 or 4.")
    var scale = 4
    @Option(help: "srresnet or lapsrn.")
    var arch = "srresnet"
    @Option(help: "real or binary.")
    var weights = "binary"
    @Option(help: "Precision: auto (the fastest mode within the model's 0.02 dB quality gate, measured on this CPU once and cached), fp32, bf16 or int8 (binary layers only), bf16-all (every convolution), int8-bf16 (int8 binary layers, bf16 others).")
    var precision = "auto"
    @Option(help: "Directory holding the weight files.")
    var modelsDir = "models"
    @Option(help: "Tile edge in input pixels (default: the whole image when it fits --memory-budget-mib, else the largest tiles that do).")
    var tileSize: Int?
    @Option(help: "Activation memory of the network in MiB (tiles are sized to stay within it).")
    var memoryBudgetMib = SRModel.defaultMemoryBudget >> 20
    @Option(help: "Quality 1-100 when writing JPEG or lossy WebP.")
    var quality = 90
    @Flag(help: "Write WebP losslessly (VP8L); PNG is always lossless, JPEG never.")
    var lossless = false
    @Flag(help: "Average the eight flips and rotations of the input (self-ensemble): about 8x the time.")
    var ensemble = false
    @Flag(help: "Print the time taken and the peak resident memory to stderr.")
    var stats = false

    var outputFormat: ImageFormat? {
        switch URL(fileURLWithPath: output).pathExtension.lowercased() {
        case "png": return .png
        case "jpg", "jpeg": return .jpeg
        case "webp": return .webp
        default: return nil
        }
    }

    func validate() throws {
        guard scale == 2 || scale == 4 else { throw ValidationError("--scale must be 2 or 4") }
        guard Architecture(rawValue: arch) != nil else { throw ValidationError("--arch must be srresnet or lapsrn") }
        guard weights == "real" || weights == "binary" else {
            throw ValidationError("--weights must be real or binary")
        }
        guard precision == "auto" || Precision(named: precision) != nil else {
            throw ValidationError("--precision must be one of \(Precision.names.joined(separator: ", "))")
        }
        guard (tileSize ?? 8) >= 8 else { throw ValidationError("--tile-size must be at least 8") }
        guard memoryBudgetMib >= 16 else { throw ValidationError("--memory-budget-mib must be at least 16") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1-100") }
        guard let outputFormat else { throw ValidationError("output must end in .png, .jpg, .jpeg or .webp") }
        guard !lossless || outputFormat != .jpeg else {
            throw ValidationError("--lossless needs .webp or .png output: JPEG has no lossless mode here")
        }
    }

    func run() throws {
        let start = Date()
        let directory = URL(fileURLWithPath: modelsDir)
        guard let weightsURL = ModelFiles.locate(in: directory, arch: arch, weights: weights, scale: scale) else {
            let expected = directory.appendingPathComponent(ModelFiles.name(arch: arch, weights: weights, scale: scale))
            throw CommandError("no weights at \(expected.path) (see `binsr models --models-dir \(modelsDir)`)")
        }
        let mode = try PrecisionTuner().resolve(precision, for: weightsURL) { note in
            if stats { FileHandle.standardError.write(Data((note + "\n").utf8)) }
        }
        let model = try SRModel(contentsOf: weightsURL, precision: mode)
        let image = try decodeImage(contentsOf: URL(fileURLWithPath: input))
        let budget = memoryBudgetMib << 20
        let bar: (Int, Int) -> Void = { done, total in ProgressBar(total: total).update(done: done, label: "tiles") }
        let result = ensemble
            ? try model.upscaleEnsemble(image, scale: scale, tileSize: tileSize, memoryBudget: budget, progress: bar)
            : try model.upscale(image, scale: scale, tileSize: tileSize, memoryBudget: budget, progress: bar)
        ProgressBar(total: 1).finish()
        let bytes: [UInt8]
        switch outputFormat! {
        case .png: bytes = try encodePNG(result)
        case .jpeg: bytes = try encodeJPEG(result, options: JPEGOptions(quality: quality))
        case .webp: bytes = try encodeWebP(result, options: WebPOptions(quality: quality, lossless: lossless))
        }
        try Data(bytes).write(to: URL(fileURLWithPath: output))
        if stats {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let seconds = Date().timeIntervalSince(start)
            FileHandle.standardError.write(
                Data(
                    String(
                        format: "%dx%d -> %dx%d in %.2f s, peak RSS %.1f MiB\n", image.width, image.height,
                        result.width,
                        result.height, seconds, Double(usage.ru_maxrss) / 1024
                    ).utf8))
        }
    }
}

/// A failure found while running (not a usage error), printed without the usage text.
struct CommandError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
