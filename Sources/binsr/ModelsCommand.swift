import ArgumentParser
import Foundation
import SREngine

/// `binsr models`: what each weight file holds and costs, in the shape of the paper's Table 4 (Ma et al. 2019).
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the weight files in the models directory: parameters, size, multiply-adds per output pixel."
    )

    @OptionGroup var models: ModelsFolderOption

    func run() throws {
        let directory = models.url
        let names: [String]
        do {
            names = try ModelFolder.weightFiles(in: directory)
        } catch {
            throw CommandError("cannot list \(models.path): \(error.localizedDescription)")
        }
        guard !names.isEmpty else {
            print("no .safetensors files in \(models.path)")
            return
        }
        let header = [
            "file", "arch", "scale", "blocks", "binary", "binary params", "real params", "size", "MACs/out px",
            "binary MACs", "gated modes", "auto here",
        ]
        let tuner = PrecisionTuner()
        var rows: [[String]] = []
        var failures: [String] = []
        for name in names {
            do {
                let url = directory.appendingPathComponent(name)
                let weights = try ModelWeights(contentsOf: url)
                let d = weights.description
                let cost = weights.cost
                // Quality gate (binsr gate) and the cached `auto` choice for this CPU, if measured yet.
                let gate = QualityGate.load(forWeights: url, fingerprint: try WeightsFingerprint.of(url))
                let gated = gate.map { g in Precision.allCases.filter { g.admits($0) }.map(\.rawValue) }
                let auto = tuner.cached(url).map { "\($0.mode.rawValue) (\(PrecisionTuner.describe($0.timings)))" }
                rows.append([
                    name, d.arch.rawValue, "x\(d.scale)", "\(d.blocks)", d.binary ? "yes" : "no",
                    "\(d.binaryParameters)", "\(d.realParameters)", Format.bytes(d.fileBytes),
                    Format.si(cost.macsPerOutputPixel), String(format: "%.1f%%", 100 * cost.binaryShare),
                    gated?.joined(separator: " ") ?? "no gate (fp32 only)", auto ?? "not measured yet",
                ])
            } catch {
                failures.append("\(name): \(error)")
            }
        }
        print(Format.table(header: header, rows: rows))
        print("CPU: \(CPUSignature.summary); auto cache: \(tuner.cache.file.path)")
        for failure in failures { print("unreadable: \(failure)") }
    }
}

/// Plain-text formatting shared by the engine's commands.
enum Format {
    static func bytes(_ n: Int) -> String {
        n >= 1 << 20 ? String(format: "%.2f MiB", Double(n) / 1_048_576) : String(format: "%.1f KiB", Double(n) / 1024)
    }

    static func si(_ x: Double) -> String {
        x >= 1e6
            ? String(format: "%.2fM", x / 1e6) : x >= 1e3 ? String(format: "%.1fk", x / 1e3) : String(format: "%.0f", x)
    }

    /// Left-aligned columns separated by two spaces; rows shorter than the header are allowed (error lines).
    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.filter { $0.count > i }.map { $0[i].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
