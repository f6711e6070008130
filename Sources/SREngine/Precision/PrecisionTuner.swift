import Dispatch
import Foundation

/// Resolves `auto` for one weight file: the cached choice for this CPU and these weights, else a measurement.
public struct PrecisionTuner: Sendable {
    public var cache: PrecisionCache
    /// The measuring input's edge: a typical upload (a few hundred pixels) costs seconds per mode on 2 cores, so a
    /// 128-pixel square is timed instead (the mode ranking held from 128 to 256 pixels in `binsr bench`).
    public var edge: Int
    public var runs: Int

    public init(cache: PrecisionCache = PrecisionCache(), edge: Int = 128, runs: Int = 3) {
        self.cache = cache
        self.edge = edge
        self.runs = runs
    }

    /// What `auto` means for `url`: the cached choice, or nil when it must be measured (`measure`).
    public func cached(_ url: URL) -> PrecisionChoice? {
        guard let fingerprint = try? WeightsFingerprint.of(url) else { return nil }
        return cache.lookup(PrecisionCache.signature(weights: fingerprint))
    }

    /// Times every candidate mode (one warm-up each, then `runs` rounds, one run of each mode per round, so a busy
    /// spell of the machine hits all alike), decides, stores the choice in the cache and returns it.
    public func measure(_ url: URL) throws -> PrecisionChoice {
        let fingerprint = try WeightsFingerprint.of(url)
        let weights = try ModelWeights(contentsOf: url)
        let gate = QualityGate.load(forWeights: url, fingerprint: fingerprint)
        let modes = PrecisionChoice.candidates(binary: weights.description.binary, gate: gate)
        let choice = try Self.time(weights: weights, modes: modes, edge: edge, runs: runs, gate: gate)
        cache.store(choice, for: PrecisionCache.signature(weights: fingerprint))
        return choice
    }

    static func time(weights: ModelWeights, modes: [Precision], edge: Int, runs: Int, gate: QualityGate?) throws
        -> PrecisionChoice
    {
        let input = Tensor.benchmarkInput(edge: edge)
        let models = try modes.map { try SRModel(weights: weights, precision: $0) }
        for model in models { _ = try model.forward(input) }
        var times = [[Double]](repeating: [], count: models.count)
        for _ in 0..<runs {
            for (index, model) in models.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try model.forward(input)
                times[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
        }
        let medians = Dictionary(uniqueKeysWithValues: zip(modes, times.map { $0.sorted()[$0.count / 2] }))
        return PrecisionChoice.decide(timings: medians, gate: gate)
    }
}

extension PrecisionTuner {
    /// A `--precision` value for `url`: a fixed mode as named, or `auto` resolved from the cache or by measuring
    /// (seconds; `note` says which and why).
    public func resolve(_ name: String, for url: URL, note: (String) -> Void = { _ in }) throws -> Precision {
        if let fixed = Precision(named: name) { return fixed }
        guard name == "auto" else { throw InferenceError.invalidInput("unknown precision \(name)") }
        if let hit = cached(url) {
            note("precision auto -> \(hit.mode.rawValue) (cached for this CPU: \(Self.describe(hit.timings)))")
            return hit.mode
        }
        let choice = try measure(url)
        note("precision auto -> \(choice.mode.rawValue) (measured on \(CPUSignature.summary): "
            + "\(Self.describe(choice.timings)); cached in \(cache.file.path))")
        return choice.mode
    }

    public static func describe(_ timings: [String: Double]) -> String {
        timings.sorted { $0.value < $1.value }.map { String(format: "%@ %.1f ms", $0.key, $0.value) }
            .joined(separator: ", ")
    }
}

extension Tensor {
    /// The fixed RGB input that timings use (`binsr bench`, the tuner): Knuth's MMIX linear congruential generator,
    /// the same values on every platform.
    public static func benchmarkInput(edge: Int, seed: UInt64 = 1) -> Tensor {
        var state = seed
        return Tensor(
            channels: 3, height: edge, width: edge,
            data: (0..<3 * edge * edge).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(state >> 40) / Float(1 << 24)
            })
    }
}
