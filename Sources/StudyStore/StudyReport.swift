import Foundation

/// The JSON document of `GET /study/results.json`: one row per architecture and scale (the paper's Table 5).
public struct StudyReport: Sendable, Codable, Equatable {
    /// Confidence level of every interval in the report.
    public let confidence: Double
    /// The normal quantile used for the Wilson intervals.
    public let z: Double
    public let totalVotes: Int
    public let results: [StudyResult]

    public init(results: [StudyResult]) {
        confidence = 0.95
        z = ProportionEstimate.z95
        totalVotes = results.reduce(0) { $0 + $1.votes }
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
