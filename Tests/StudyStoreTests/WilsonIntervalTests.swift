import StudyStore
import XCTest

/// The expected bounds are the published ones of Newcombe (1998), "Two-sided confidence intervals for the single
/// proportion: comparison of seven methods", Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score
/// interval without continuity correction), given there to 4 decimals.
final class WilsonIntervalTests: XCTestCase {
    func testMatchesNewcombesTable() {
        let cases: [(successes: Int, trials: Int, lower: Double, upper: Double)] = [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0000, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ]
        for c in cases {
            let estimate = ProportionEstimate(successes: c.successes, trials: c.trials)
            XCTAssertEqual(estimate.lower, c.lower, accuracy: 0.00005, "lower bound of \(c.successes)/\(c.trials)")
            XCTAssertEqual(estimate.upper, c.upper, accuracy: 0.00005, "upper bound of \(c.successes)/\(c.trials)")
            XCTAssertEqual(estimate.share, Double(c.successes) / Double(c.trials))
        }
    }

    /// 7 of 10 by hand: p = 0.7, z² = 3.8415, 1 + z²/n = 1.38415, centre = 0.89208 / 1.38415 = 0.64449,
    /// half = 1.95996 × sqrt(0.021 + 0.0096038) / 1.38415 = 0.24772, so [0.39677, 0.89221].
    func testHandComputedSevenOfTen() {
        let estimate = ProportionEstimate(successes: 7, trials: 10)
        XCTAssertEqual(estimate.lower, 0.39677, accuracy: 0.00001)
        XCTAssertEqual(estimate.upper, 0.89221, accuracy: 0.00001)
    }

    func testAllSuccessesIsSymmetricToNone() {
        let none = ProportionEstimate(successes: 0, trials: 20)
        let all = ProportionEstimate(successes: 20, trials: 20)
        XCTAssertEqual(all.upper, 1, accuracy: 1e-12)
        XCTAssertEqual(all.lower, 1 - none.upper, accuracy: 1e-12)
    }

    func testNoTrialsKnowsNothing() {
        let estimate = ProportionEstimate(successes: 0, trials: 0)
        XCTAssertEqual(estimate.share, 0)
        XCTAssertEqual(estimate.lower, 0)
        XCTAssertEqual(estimate.upper, 1)
    }
}
