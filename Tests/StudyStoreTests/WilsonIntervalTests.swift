import StudyStore
import Testing

/// The expected bounds are the published ones of Newcombe (1998), "Two-sided confidence intervals for the single
/// proportion: comparison of seven methods", Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score
/// interval without continuity correction), given there to 4 decimals.
@Suite final class WilsonIntervalTests {
    @Test func matchesNewcombesTable() {
        let cases: [(successes: Int, trials: Int, lower: Double, upper: Double)] = [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0000, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ]
        for c in cases {
            let estimate = ProportionEstimate(successes: c.successes, trials: c.trials)
            #expect(abs(estimate.lower - c.lower) <= 0.00005, "lower bound of \(c.successes)/\(c.trials)")
            #expect(abs(estimate.upper - c.upper) <= 0.00005, "upper bound of \(c.successes)/\(c.trials)")
            #expect(estimate.share == (Double(c.successes) / Double(c.trials)))
        }
    }

    /// 7 of 10 by hand: p = 0.7, z² = 3.8415, 1 + z²/n = 1.38415, centre = 0.89208 / 1.38415 = 0.64449,
    /// half = 1.95996 × sqrt(0.021 + 0.0096038) / 1.38415 = 0.24772, so [0.39677, 0.89221].
    @Test func handComputedSevenOfTen() {
        let estimate = ProportionEstimate(successes: 7, trials: 10)
        #expect(abs(estimate.lower - 0.39677) <= 0.00001)
        #expect(abs(estimate.upper - 0.89221) <= 0.00001)
    }

    @Test func allSuccessesIsSymmetricToNone() {
        let none = ProportionEstimate(successes: 0, trials: 20)
        let all = ProportionEstimate(successes: 20, trials: 20)
        #expect(abs(all.upper - 1) <= 1e-12)
        #expect(abs(all.lower - (1 - none.upper)) <= 1e-12)
    }

    @Test func noTrialsKnowsNothing() {
        let estimate = ProportionEstimate(successes: 0, trials: 0)
        #expect(estimate.share == 0)
        #expect(estimate.lower == 0)
        #expect(estimate.upper == 1)
    }
}
