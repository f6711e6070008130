import ArgumentParser
import Evaluation
import Foundation
import SREngine

/// `binsr gate`: the quality gate that travels with each weight file. For every mode that changes the model, the
/// PSNR change against fp32 on Set5 and Set14 at each scale the file serves (`binsr eval`'s protocol, no IFC),
/// written beside the weights as `<name>.gate.json`; `auto` only picks modes within 0.02 dB there.
struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Measure each precision mode's PSNR change against fp32 and store it beside the weights.",
        discussion: "Writes <name>.gate.json for every weight file (or only --file); `auto` reads it.")

    @OptionGroup var models: ModelsFolderOption
    @Option(help: "Only this weight file.")
    var file: String?
    @Option(help: "Folder holding Set5/ and Set14/.")
    var datasets = "../shared/datasets"
    @Flag(help: "Measure again even when a gate for these exact weights exists.")
    var force = false

    func run() throws {
        let directory = models.url
        let urls: [URL]
        if let file {
            urls = [URL(fileURLWithPath: file)]
        } else {
            urls = try ModelFolder.weightFiles(in: directory).map { directory.appendingPathComponent($0) }
        }
        for url in urls {
            let fingerprint = try WeightsFingerprint.of(url)
            if !force, QualityGate.load(forWeights: url, fingerprint: fingerprint) != nil {
                print("\(url.lastPathComponent): gate up to date")
                continue
            }
            let weights = try ModelWeights(contentsOf: url)
            let modes = Precision.allCases.filter { mode in
                mode != .fp32 && (weights.description.binary || !(mode == .bf16 || mode == .int8 || mode == .int8BF16))
            }
            var fp32: [String: Double] = [:]
            var changes: [String: [String: Double]] = [:]
            for scale in weights.description.scales {
                for dataset in ["Set5", "Set14"] {
                    let key = "\(dataset)_x\(scale)"
                    let folder = URL(fileURLWithPath: datasets).appendingPathComponent(dataset)
                    let base = try psnr(weights, .fp32, scale: scale, folder: folder)
                    fp32[key] = base
                    for mode in modes {
                        changes[mode.rawValue, default: [:]][key] =
                            try psnr(weights, mode, scale: scale, folder: folder) - base
                    }
                }
            }
            let gate = QualityGate(weights: fingerprint, fp32: fp32, changes: changes)
            try gate.write(forWeights: url)
            let summary = modes.map { mode in
                let worst = changes[mode.rawValue]!.values.map(abs).max() ?? 0
                return String(format: "%@ %.4f dB%@", mode.rawValue, worst, gate.admits(mode) ? "" : " (excluded)")
            }
            print("\(url.lastPathComponent): worst change \(summary.joined(separator: ", "))")
        }
    }

    private func psnr(_ weights: ModelWeights, _ mode: Precision, scale: Int, folder: URL) throws -> Double {
        let method = NetworkMethod(name: mode.rawValue, model: try SRModel(weights: weights, precision: mode))
        let options = try EvaluationOptions(scale: scale, computeIFC: false)
        return try DatasetEvaluator(options: options).evaluate(directory: folder, method: method) { _, _, _ in }
            .meanPSNR
    }
}
