import Foundation

/// A proportion with its Wilson score interval.
///
/// Wilson (1927), "Probable inference, the law of succession, and statistical inference", JASA 22:209-212;
/// method 3 of Newcombe (1998), Statistics in Medicine 17:857-872. Unlike the normal ("Wald") interval it stays
/// inside [0, 1] and is not degenerate at 0 or n successes, which matters for the small vote counts of a user study.
public struct ProportionEstimate: Sendable, Equatable, Codable {
    public let successes: Int
    public let trials: Int
    /// successes / trials; 0 when there are no trials.
    public let share: Double
    /// Lower and upper bound of the interval; [0, 1] when there are no trials (nothing is known).
    public let lower: Double
    public let upper: Double

    /// The two-sided 95% normal quantile, Φ⁻¹(0.975).
    public static let z95 = 1.959963984540054

    public init(successes: Int, trials: Int, z: Double = ProportionEstimate.z95) {
        precondition(trials >= 0 && successes >= 0 && successes <= trials, "need 0 <= successes <= trials")
        self.successes = successes
        self.trials = trials
        guard trials > 0 else {
            share = 0
            lower = 0
            upper = 1
            return
        }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        // centre = (p + z²/2n) / (1 + z²/n);  half = z / (1 + z²/n) * sqrt(p(1-p)/n + z²/4n²)
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        share = p
        // At 0 or n successes the bound is exactly 0 or 1; the formula gives it only up to rounding.
        lower = successes == 0 ? 0 : max(0, centre - half)
        upper = successes == trials ? 1 : min(1, centre + half)
    }
}
