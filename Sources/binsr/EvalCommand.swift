import ArgumentParser
import Evaluation
import Foundation
import SREngine

/// `binsr eval`: the paper's evaluation protocol (LapSRN's evaluate_LapSRN_dataset.m) on a folder of HR images.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a super-resolution method on a dataset: PSNR / SSIM / IFC on Y, border = scale.",
        discussion: """
            HR images are mod-cropped to the scale; LR = MATLAB bicubic imresize(HR, 1/scale), unrounded unless \
            --rounded-lr. Reproduces the published bicubic rows, e.g. Set5 x4: 28.43 / 0.811 / 2.337. \
            See docs/evaluation.md.
            """
    )

    @Option(help: "Directory of HR images (.png/.jpg), e.g. ../shared/datasets/Set5.")
    var dataset: String

    @Option(help: "Upscaling factor (2, 3, 4 or 8).")
    var scale: Int

    @Option(help: "Method to evaluate: \(EvalMethods.names.joined(separator: ", ")), or a .safetensors weight file.")
    var method: String = "bicubic"

    @OptionGroup var models: ModelsFolderOption

    // The default differs from `upscale`'s `auto` on purpose: a score must not depend on which mode this CPU picks.
    @Option(
        help: """
            Precision: fp32 (default, as every published number: a score must not depend on the CPU's pick), bf16 \
            or int8 (binary layers only), bf16-all (every convolution), int8-bf16, auto (what upscale and serve use).
            """)
    var precision: String = "fp32"

    @Flag(name: .customLong("rounded-lr"), help: "Round the LR image to 8 bits before upscaling.")
    var roundedLR = false

    @Flag(help: "Print the scores as JSON on stdout instead of a table.")
    var json = false

    @Flag(help: "Self-ensemble: average the network's outputs over the eight flips and rotations of each input.")
    var ensemble = false

    @Flag(name: .customLong("no-ifc"), help: "Skip IFC (the slowest metric).")
    var noIFC = false

    func validate() throws {
        guard [2, 3, 4, 8].contains(scale) else {
            throw ValidationError("--scale must be 2, 3, 4 or 8, got \(scale)")
        }
        guard EvalMethods.names.contains(method) || method.hasSuffix(".safetensors") else {
            throw ValidationError(
                "unknown --method '\(method)' (available: \(EvalMethods.names.joined(separator: ", ")))")
        }
        guard precision == "auto" || Precision(named: precision) != nil else {
            throw ValidationError("--precision must be one of \(Precision.names.joined(separator: ", ")), got \(precision)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dataset, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--dataset \(dataset) is not a directory")
        }
    }

    func run() throws {
        let options = try EvaluationOptions(scale: scale, roundLR: roundedLR, computeIFC: !noIFC)
        let sr = try EvalMethods.make(
            method, scale: scale, modelsDirectory: models.path, precision: precision, ensemble: ensemble)
        let directory = URL(fileURLWithPath: dataset)
        let total = try DatasetDirectory.imageFiles(in: directory).count
        let bar = ProgressBar(total: total)
        bar.update(done: 0, label: "")
        let scores = try DatasetEvaluator(options: options).evaluate(directory: directory, method: sr) {
            done, _, name in bar.update(done: done, label: name)
        }
        bar.finish()
        print(json ? try EvalReport.json(scores) : EvalReport.table(scores, dataset: directory.lastPathComponent))
    }
}

/// Renders `DatasetScores` for people (a table) and for machines (JSON).
enum EvalReport {
    static func json(_ scores: DatasetScores) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // A perfect reconstruction has PSNR = +inf, which JSON numbers cannot express.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(scores), as: UTF8.self)
    }

    static func table(_ scores: DatasetScores, dataset: String) -> String {
        func cell(_ v: Double?, _ digits: Int) -> String {
            guard let v else { return pad("-", 8) }
            return pad(String(format: "%.\(digits)f", v), 8)
        }
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        let nameWidth = max(8, scores.images.map(\.name.count).max() ?? 0)
        func name(_ s: String) -> String { s + String(repeating: " ", count: max(0, nameWidth - s.count)) }
        var lines = [
            "\(dataset) x\(scores.scale), method \(scores.method), LR \(scores.roundedLR ? "rounded to uint8" : "unrounded")",
            "\(name("image"))  \(pad("size", 9))  \(pad("PSNR", 8))  \(pad("SSIM", 8))  \(pad("IFC", 8))",
        ]
        for s in scores.images {
            lines.append(
                "\(name(s.name))  \(pad("\(s.width)x\(s.height)", 9))  \(cell(s.psnr, 4))  "
                    + "\(cell(s.ssim, 4))  \(cell(s.ifc, 4))")
        }
        lines.append(
            "\(name("mean"))  \(pad("", 9))  \(cell(scores.meanPSNR, 4))  \(cell(scores.meanSSIM, 4))  "
                + "\(cell(scores.meanIFC, 4))")
        return lines.joined(separator: "\n")
    }
}
