import ArgumentParser
import Foundation
import ImageCodecs
import SREngine

#if canImport(Glibc)
    import Glibc
#endif

/// `binsr upscale IN -o OUT`: decode, run the chosen network tile by tile, encode by the output's extension.
/// Several inputs, a folder or a glob: `UpscaleBatch`, one model for all of them, into the folder `-o`.
struct UpscaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upscale",
        abstract: "Upscale PNG, JPEG or WebP images with a (binarized) SRResNet or LapSRN.",
        discussion: """
            The weights file is <models-dir>/<arch>_x<scale>_<weights>.safetensors (LapSRN x2: else the x4 file's \
            first level). Alpha is upscaled bicubically, grayscale stays grayscale, and a 16-bit PNG stays 16-bit \
            when written as PNG (JPEG output is 8-bit and composited over white; WebP output is 8-bit RGB and keeps \
            alpha).

            Several inputs, a folder (its .png, .jpg, .jpeg and .webp files, not recursive) or an -o that is a \
            folder (existing, or written with a trailing /): the model is loaded once and each image is written to \
            <OUT>/<input base name>.<--format's extension>. Outputs already there are skipped unless --overwrite, \
            so running the same command again resumes an interrupted run (outputs are written to a hidden \
            temporary file and renamed, so none is ever half-written). An image that fails is reported and the \
            others go on. Ctrl-C stops after the current tile and prints the summary (exit status 130). \
            Exit status 1 when any image failed. --json prints one object per image on stdout, then \
            {"summary": {...}}.
            """
    )

    @Argument(help: "Input PNG, JPEG or WebP (still, not animated); or several, or folders of them.")
    var inputs: [String]
    @Option(
        name: .shortAndLong, help: "Output file (.png, .jpg, .jpeg or .webp); the output folder for several inputs.")
    var output: String
    @Option(help: "Upscaling factor: 2 or 4.")
    var scale = 4
    @Option(help: "srresnet or lapsrn.")
    var arch: Architecture = .srresnet
    @Option(help: "real or binary.")
    var weights: WeightKind = .binary
    @Option(help: "Precision: auto (the fastest mode within the model's 0.02 dB quality gate, measured on this CPU once and cached), fp32, bf16 or int8 (binary layers only), bf16-all (every convolution), int8-bf16 (int8 binary layers, bf16 others).")
    var precision = "auto"
    @OptionGroup var models: ModelsFolderOption
    @Option(help: "Tile edge in input pixels (default: the whole image when it fits --memory-budget-mib, else the largest tiles that do).")
    var tileSize: Int?
    @Option(
        help: "Activation memory of the network in MiB (tiles are sized to fit; images run at once share it).")
    var memoryBudgetMib = SRModel.defaultMemoryBudget >> 20
    @Option(help: "Quality 1-100 when writing JPEG or lossy WebP.")
    var quality = 90
    @Flag(help: "Write WebP losslessly (VP8L); PNG is always lossless, JPEG never.")
    var lossless = false
    @Flag(help: "Average the eight flips and rotations of the input (self-ensemble): about 8x the time.")
    var ensemble = false
    @Flag(help: "Print the time taken and the peak resident memory to stderr.")
    var stats = false
    @Option(help: "Several inputs: the output format, png, jpg or webp (one file: its extension says).")
    var format: String?
    @Flag(help: "Several inputs: replace outputs that exist (else they are skipped).")
    var overwrite = false
    @Flag(help: "Several inputs: one JSON object per image on stdout, then a summary line; no progress bar.")
    var json = false
    @Option(
        help: """
            Several inputs: how many images small enough to share the memory budget run at once, each on \
            cores/jobs threads (default 2 with 2 or more cores).
            """)
    var jobs: Int?

    /// Several inputs, a folder among them, or an output folder: `UpscaleBatch`.
    var isBatch: Bool {
        var isDirectory: ObjCBool = false
        let outputIsFolder =
            output.hasSuffix("/") || (FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory)
                && isDirectory.boolValue)
        let inputIsFolder = inputs.contains {
            FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        return inputs.count > 1 || outputIsFolder || inputIsFolder
    }

    var outputFormat: ImageFormat? {
        guard isBatch else { return Self.format(named: URL(fileURLWithPath: output).pathExtension) }
        return format.map(Self.format(named:)) ?? .png
    }

    static func format(named name: String) -> ImageFormat? {
        switch name.lowercased() {
        case "png": return .png
        case "jpg", "jpeg": return .jpeg
        case "webp": return .webp
        default: return nil
        }
    }

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give an input file or folder") }
        guard scale == 2 || scale == 4 else { throw ValidationError("--scale must be 2 or 4") }
        guard precision == "auto" || Precision(named: precision) != nil else {
            throw ValidationError("--precision must be one of \(Precision.names.joined(separator: ", "))")
        }
        guard (tileSize ?? 8) >= 8 else { throw ValidationError("--tile-size must be at least 8") }
        guard memoryBudgetMib >= 16 else { throw ValidationError("--memory-budget-mib must be at least 16") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1-100") }
        guard (jobs ?? 1) >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if isBatch {
            guard outputFormat != nil else { throw ValidationError("--format must be png, jpg or webp") }
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory)
            let looksLikeAFile = Self.format(named: URL(fileURLWithPath: output).pathExtension) != nil
            guard isDirectory.boolValue || (!exists && !looksLikeAFile) else {
                throw ValidationError("several inputs or a folder need -o to be a folder, not \(output)")
            }
        } else {
            guard format == nil && !overwrite && !json && jobs == nil else {
                throw ValidationError(
                    "--format, --overwrite, --json and --jobs are for several inputs or a folder; "
                        + "one output file's extension gives its format")
            }
            guard outputFormat != nil else { throw ValidationError("output must end in .png, .jpg, .jpeg or .webp") }
        }
        guard !lossless || outputFormat != .jpeg else {
            throw ValidationError("--lossless needs .webp or .png output: JPEG has no lossless mode here")
        }
    }

    func run() throws {
        let start = Date()
        let directory = models.url
        guard let weightsURL = ModelFolder.locate(in: directory, arch: arch, kind: weights, scale: scale) else {
            let expected = directory.appendingPathComponent(ModelFolder.name(arch: arch, kind: weights, scale: scale))
            throw CommandError("no weights at \(expected.path) (see `binsr models --models-dir \(models.path)`)")
        }
        let mode = try PrecisionTuner().resolve(precision, for: weightsURL) { note in
            if stats { FileHandle.standardError.write(Data((note + "\n").utf8)) }
        }
        let job = UpscaleJob(
            model: try SRModel(contentsOf: weightsURL, precision: mode), scale: scale, tileSize: tileSize,
            ensemble: ensemble, format: outputFormat!, quality: quality, lossless: lossless)
        let budget = memoryBudgetMib << 20
        if isBatch {
            try runBatch(job, memoryBudget: budget)
            return
        }
        let image = try decodeImage(contentsOf: URL(fileURLWithPath: inputs[0]))
        let result = try job.upscale(image, memoryBudget: budget) { done, total in
            ProgressBar(total: total).update(done: done, label: "tiles")
        }
        ProgressBar(total: 1).finish()
        try Data(try job.encode(result)).write(to: URL(fileURLWithPath: output))
        if stats {
            let seconds = Date().timeIntervalSince(start)
            FileHandle.standardError.write(
                Data(
                    String(
                        format: "%dx%d -> %dx%d in %.2f s, peak RSS %.1f MiB\n", image.width, image.height,
                        result.width,
                        result.height, seconds, Self.peakResidentMiB()
                    ).utf8))
        }
    }

    private func runBatch(_ job: UpscaleJob, memoryBudget: Int) throws {
        let folder = URL(fileURLWithPath: output, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CommandError("cannot create the output folder \(output): \(error.localizedDescription)")
        }
        let items = BatchInputs.items(try BatchInputs.files(inputs), outputFolder: folder, format: job.format)
        let batch = UpscaleBatch(
            job: job, memoryBudget: memoryBudget, jobs: jobs ?? (EngineThreads.cores >= 2 ? 2 : 1),
            overwrite: overwrite, json: json)
        let summary = batch.run(items)
        if stats {
            FileHandle.standardError.write(Data(String(format: "peak RSS %.1f MiB\n", Self.peakResidentMiB()).utf8))
        }
        if summary.interrupted { throw ExitCode(130) }  // 128 + SIGINT, as a shell reports a Ctrl-C'd command
        if summary.failed > 0 { throw ExitCode.failure }
    }

    static func peakResidentMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

/// A failure found while running (not a usage error), printed without the usage text.
struct CommandError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
