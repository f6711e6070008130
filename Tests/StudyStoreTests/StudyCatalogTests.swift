import Foundation
import StudyStore
import XCTest

final class StudyCatalogTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(Token.random())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["b.png", "a.JPG", "c.jpeg", "notes.txt", ".hidden.png"] {
            try Data([0]).write(to: directory.appendingPathComponent(name))
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testScanKeepsVisibleImagesInNameOrder() throws {
        let catalog = try StudyCatalog.scan(folders: [("operator", directory)], variants: [])
        XCTAssertEqual(catalog.inputs.map(\.name), ["operator/a.JPG", "operator/b.png", "operator/c.jpeg"])
        XCTAssertEqual(catalog.input(named: "operator/b.png")?.url.lastPathComponent, "b.png")
        XCTAssertNil(catalog.input(named: "operator/notes.txt"))
        XCTAssertNil(catalog.input(named: "../operator/b.png"))
    }

    func testMissingFolderFailsAtStartup() {
        XCTAssertThrowsError(
            try StudyCatalog.scan(
                folders: [("x", directory.appendingPathComponent("nope"))],
                variants: []))
    }

    func testDrawCoversEveryInputVariantAndPlacement() throws {
        let variants = [StudyCatalog.Variant(arch: "srresnet", scale: 2), .init(arch: "lapsrn", scale: 4)]
        let catalog = try StudyCatalog.scan(folders: [("operator", directory)], variants: variants)
        var generator = SplitMix64(seed: 42)
        var seen = Set<String>()
        var left = 0
        let draws = 600
        for _ in 0..<draws {
            let draw = try XCTUnwrap(catalog.draw(using: &generator))
            seen.insert("\(draw.input) \(draw.variant.arch) \(draw.variant.scale)")
            if draw.realOnLeft { left += 1 }
        }
        XCTAssertEqual(seen.count, 3 * 2)
        // Placement is a fair coin: 600 draws land within 4.5 standard deviations (sd = 12.2) of 300.
        XCTAssertLessThan(abs(left - draws / 2), 55)
    }

    func testNothingToDrawWithoutInputsOrVariants() throws {
        let noVariants = try StudyCatalog.scan(folders: [("operator", directory)], variants: [])
        XCTAssertNil(noVariants.draw())
        let noInputs = StudyCatalog(inputs: [], variants: [.init(arch: "srresnet", scale: 2)])
        XCTAssertNil(noInputs.draw())
    }

    func testReportJSONHasSnakeCaseKeysAndTotals() throws {
        let report = StudyReport(
            results: [StudyResult(arch: "srresnet", scale: 4, real: 7, binary: 3, same: 0)],
            exclusions: [.tooFast: 2], rules: StudyRules(minViewSeconds: 2, sessionsPerMinute: 4, pairsPerMinute: 30))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try report.json())) as? [String: Any])
        XCTAssertEqual(object["total_votes"] as? Int, 10)
        XCTAssertEqual(object["excluded_votes"] as? Int, 2)
        XCTAssertEqual(
            object["exclusions"] as? [String: Int], ["too_fast": 2, "images_not_fetched": 0, "unverified": 0])
        let rules = try XCTUnwrap(object["rules"] as? [String: Any])
        XCTAssertEqual(rules["min_view_seconds"] as? Double, 2)
        XCTAssertEqual(rules["sessions_per_minute"] as? Int, 4)
        let row = try XCTUnwrap((object["results"] as? [[String: Any]])?.first)
        XCTAssertEqual(row["arch"] as? String, "srresnet")
        let real = try XCTUnwrap(row["real"] as? [String: Any])
        XCTAssertEqual(real["share"] as? Double, 0.7)
        // 7 of 10: the hand-computed Wilson interval of WilsonIntervalTests.
        XCTAssertEqual(try XCTUnwrap(real["lower"] as? Double), 0.39677, accuracy: 0.00001)
        let decisive = try XCTUnwrap(row["binary_among_decisive"] as? [String: Any])
        XCTAssertEqual(decisive["trials"] as? Int, 10)
    }
}

/// A seeded generator (Steele, Lea and Flood 2014, "Fast splittable pseudorandom number generators") so the draw
/// test is reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
