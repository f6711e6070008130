import Foundation

/// The rules a vote must pass to count, as the results page states them (the service fills in its settings).
public struct StudyRules: Sendable, Codable, Equatable {
    /// Seconds between the later image download and the vote.
    public let minViewSeconds: Double
    /// New sessions per client address per minute.
    public let sessionsPerMinute: Int
    /// Pairs issued per client address per minute.
    public let pairsPerMinute: Int

    public init(minViewSeconds: Double, sessionsPerMinute: Int, pairsPerMinute: Int) {
        self.minViewSeconds = minViewSeconds
        self.sessionsPerMinute = sessionsPerMinute
        self.pairsPerMinute = pairsPerMinute
    }
}

/// The JSON document of `GET /study/results.json`: one row per architecture and scale (the paper's Table 5), the
/// votes left out and why, and the rules.
public struct StudyReport: Sendable, Codable, Equatable {
    /// Confidence level of every interval in the report.
    public let confidence: Double
    /// The normal quantile used for the Wilson intervals.
    public let z: Double
    /// Votes that count (the sum of the rows).
    public let totalVotes: Int
    /// Votes recorded but not counted.
    public let excludedVotes: Int
    /// `excludedVotes` by reason (`images_not_fetched`, `too_fast`, `unverified`), every reason present.
    public let exclusions: [String: Int]
    public let rules: StudyRules
    public let results: [StudyResult]

    public init(results: [StudyResult], exclusions: [StudyExclusion: Int] = [:], rules: StudyRules) {
        confidence = 0.95
        z = ProportionEstimate.z95
        totalVotes = results.reduce(0) { $0 + $1.votes }
        self.exclusions = Dictionary(
            uniqueKeysWithValues: StudyExclusion.allCases.map { ($0.rawValue, exclusions[$0] ?? 0) })
        excludedVotes = self.exclusions.values.reduce(0, +)
        self.rules = rules
        self.results = results
    }

    /// snake_case keys (`total_votes`, `binary_among_decisive`), sorted so the output is stable.
    public func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self))
    }
}
