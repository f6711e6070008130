import ArgumentParser
import Foundation
import SREngine

/// `binsr bench`: times one network on a fixed random input per precision mode and reports medians.
/// benchmarks/pytorch_bench.py runs this interleaved with PyTorch on the same weights for a fair ratio.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the engine (median of N runs) per weights kind and precision."
    )

    @OptionGroup var models: ModelsFolderOption
    @Option(help: "srresnet or lapsrn.")
    var arch: Architecture = .srresnet
    @Option(help: "Upscaling factor, 2 or 4.")
    var scale = 4
    @Option(help: "Input edge in pixels (the input is size x size).")
    var size = 128
    @Option(help: "Timed runs per case.")
    var runs = 10
    @Option(help: "Untimed runs per case first (primitive creation, caches).")
    var warmup = 2
    @Option(help: "Seed of the random input.")
    var seed: UInt64 = 1
    @Option(help: "Comma-separated cases weights:precision.")
    var cases = "real:fp32,real:bf16-all,binary:fp32,binary:bf16,binary:int8,binary:bf16-all,binary:int8-bf16"
    @Flag(help: "Print one JSON object per case with every run's time.")
    var json = false

    func validate() throws {
        guard scale == 2 || scale == 4 else { throw ValidationError("--scale must be 2 or 4") }
        guard (8...4096).contains(size) else { throw ValidationError("--size must be in 8...4096") }
        guard runs >= 1 && warmup >= 0 else { throw ValidationError("--runs must be >= 1 and --warmup >= 0") }
        for kind in Set(try parsedCases().map(\.weights)) { _ = try weightsFile(kind) }
    }

    func parsedCases() throws -> [(weights: WeightKind, precision: Precision)] {
        try cases.split(separator: ",").map { item in
            let parts = item.split(separator: ":").map(String.init)
            guard parts.count == 2, let kind = WeightKind(rawValue: parts[0]), let p = Precision(rawValue: parts[1])
            else {
                throw ValidationError("bad case '\(item)': expected real|binary:fp32|bf16|int8|bf16-all")
            }
            return (kind, p)
        }
    }

    /// The file that upscales by `scale` (`ModelFolder.locate`: an x4 LapSRN also serves x2).
    func weightsFile(_ kind: WeightKind) throws -> URL {
        guard let url = ModelFolder.locate(in: models.url, arch: arch, kind: kind, scale: scale)
        else {
            throw ValidationError("no \(ModelFolder.name(arch: arch, kind: kind, scale: scale)) in \(models.path)")
        }
        return url
    }

    /// The LapSRN levels that reach `scale` (an x4 file timed at x2 stops after its first level, as `eval` and the
    /// service run it); nil runs the whole network.
    func levels(of model: SRModel) -> Int? {
        guard model.description.arch == .lapsrn else { return nil }
        return model.description.scales.firstIndex(of: scale).map { $0 + 1 }
    }

    func run() throws {
        let input = Tensor.benchmarkInput(edge: size, seed: seed)
        // Every case is loaded and warmed up first, then timed round-robin (one run of each case per round), so
        // a slow spell of a shared machine lands on every case alike and the ratios stay fair.
        let parsed = try parsedCases()
        var models: [SRModel] = []
        var outputs: [Tensor] = []
        for (kind, precision) in parsed {
            let model = try SRModel(contentsOf: try weightsFile(kind), precision: precision)
            var output = try model.forward(input, levels: levels(of: model)).last!
            for _ in 0..<warmup { output = try model.forward(input, levels: levels(of: model)).last! }
            models.append(model)
            outputs.append(output)
        }
        var times = [[Double]](repeating: [], count: parsed.count)
        for _ in 0..<runs {
            for (index, model) in models.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                outputs[index] = try model.forward(input, levels: levels(of: model)).last!
                times[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
        }
        var rows: [[String]] = []
        for (index, (kind, precision)) in parsed.enumerated() {
            let median = times[index].sorted()[runs / 2]
            var deviation = "-"
            if precision != .fp32, let reference = parsed.indices.first(where: {
                parsed[$0].weights == kind && parsed[$0].precision == .fp32
            }) {
                deviation = String(
                    format: "%.2e", zip(outputs[reference].data, outputs[index].data).map { abs($0 - $1) }.max() ?? 0)
            }
            if json {
                let timesText = times[index].map { String(format: "%.3f", $0) }.joined(separator: ",")
                print(
                    "{\"engine\":\"binsr\",\"arch\":\"\(arch)\",\"scale\":\(scale),\"size\":\(size),"
                        + "\"output_size\":\(outputs[index].width),"
                        + "\"weights\":\"\(kind)\",\"precision\":\"\(precision.rawValue)\",\"times_ms\":[\(timesText)]}"
                )
            }
            let implementations = Set(models[index].implementations(height: size, width: size).values).sorted()
            rows.append([
                "\(kind)", precision.rawValue, String(format: "%.1f", median), "\(runs)", deviation,
                implementations.joined(separator: " "),
            ])
        }
        if !json {
            print("\(arch) x\(scale), input \(size)x\(size), median of \(runs) runs after \(warmup) warm-up, on \(CPUSignature.summary)")
            print(
                Format.table(
                    header: ["weights", "precision", "median ms", "runs", "max |x - fp32|", "oneDNN kernels"],
                    rows: rows))
            // What `auto` makes of these timings: the fastest mode each file's quality gate admits.
            for kind in [WeightKind.real, .binary] {
                guard let url = try? weightsFile(kind) else { continue }
                var timings: [Precision: Double] = [:]
                for (index, item) in parsed.enumerated() where item.weights == kind {
                    timings[item.precision] = times[index].sorted()[runs / 2]
                }
                guard !timings.isEmpty, let fingerprint = try? WeightsFingerprint.of(url) else { continue }
                let gate = QualityGate.load(forWeights: url, fingerprint: fingerprint)
                let choice = PrecisionChoice.decide(timings: timings, gate: gate)
                let note = gate == nil ? "no quality gate: fp32 only" : "gated modes timed here"
                print("auto for \(kind): \(choice.mode.rawValue) (\(note))")
            }
        }
    }
}
