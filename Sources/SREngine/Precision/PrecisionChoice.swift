/// `auto`: the fastest precision mode that the model's quality gate admits, from timings measured on this CPU.
/// No CPU flag decides it: bf16 is 2.6x faster than fp32 on one AVX-512 machine of this project and 1.9x slower on
/// another (README, "Speed").
public struct PrecisionChoice: Codable, Sendable, Equatable {
    public var mode: Precision
    /// Median milliseconds per mode on the measuring input.
    public var timings: [String: Double]

    public init(mode: Precision, timings: [String: Double]) {
        self.mode = mode
        self.timings = timings
    }

    /// The modes worth timing for a model: every mode that changes something for it (the binary-only modes do
    /// nothing for a real model), that this CPU runs as designed (int8 needs VNNI) and that its gate admits; fp32
    /// always.
    public static func candidates(binary: Bool, gate: QualityGate?, vnni: Bool = Precision.vnni) -> [Precision] {
        Precision.allCases.filter { mode in
            guard mode != .fp32 else { return true }
            if !binary && (mode == .bf16 || mode == .int8 || mode == .int8BF16) { return false }
            if mode.quantizesBinary && !vnni { return false }
            return gate?.admits(mode) ?? false
        }
    }

    /// The fastest of `timings` among admitted modes; a mode must beat fp32 by `margin` (5%) to be picked, since
    /// every other mode costs some accuracy.
    public static func decide(timings: [Precision: Double], gate: QualityGate?, margin: Double = 0.05)
        -> PrecisionChoice
    {
        let admitted = timings.filter { $0.key == .fp32 || (gate?.admits($0.key) ?? false) }
        let fp32 = admitted[.fp32] ?? .infinity
        let best = admitted.filter { $0.key == .fp32 || $0.value < fp32 * (1 - margin) }
            .min { $0.value < $1.value || ($0.value == $1.value && $0.key.rawValue < $1.key.rawValue) }
        return PrecisionChoice(
            mode: best?.key ?? .fp32,
            timings: Dictionary(uniqueKeysWithValues: timings.map { ($0.key.rawValue, $0.value) }))
    }
}
