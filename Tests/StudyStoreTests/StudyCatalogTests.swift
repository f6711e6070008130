import TestSupport
import Foundation
import StudyStore
import Testing

@Suite final class StudyCatalogTests {
    private let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(Token.random())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["b.png", "a.JPG", "c.jpeg", "notes.txt", ".hidden.png"] {
            try Data([0]).write(to: directory.appendingPathComponent(name))
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func scanKeepsVisibleImagesInNameOrder() throws {
        let catalog = try StudyCatalog.scan(folders: [("operator", directory)], variants: [])
        #expect(catalog.inputs.map(\.name) == ["operator/a.JPG", "operator/b.png", "operator/c.jpeg"])
        #expect(catalog.input(named: "operator/b.png")?.url.lastPathComponent == "b.png")
        #expect(catalog.input(named: "operator/notes.txt") == nil)
        #expect(catalog.input(named: "../operator/b.png") == nil)
    }

    @Test func missingFolderFailsAtStartup() {
        #expect(throws: (any Error).self) { try StudyCatalog.scan(
                folders: [("x", directory.appendingPathComponent("nope"))],
                variants: []) }
    }

    @Test func drawCoversEveryInputVariantAndPlacement() throws {
        let variants = [StudyCatalog.Variant(arch: "srresnet", scale: 2), .init(arch: "lapsrn", scale: 4)]
        let catalog = try StudyCatalog.scan(folders: [("operator", directory)], variants: variants)
        var generator = SplitMix64(seed: 42)
        var seen = Set<String>()
        var left = 0
        let draws = 600
        for _ in 0..<draws {
            let draw = try #require(catalog.draw(using: &generator))
            seen.insert("\(draw.input) \(draw.variant.arch) \(draw.variant.scale)")
            if draw.realOnLeft { left += 1 }
        }
        #expect(seen.count == (3 * 2))
        // Placement is a fair coin: 600 draws land within 4.5 standard deviations (sd = 12.2) of 300.
        #expect((abs(left - draws / 2)) < 55)
    }

    @Test func nothingToDrawWithoutInputsOrVariants() throws {
        let noVariants = try StudyCatalog.scan(folders: [("operator", directory)], variants: [])
        #expect(noVariants.draw() == nil)
        let noInputs = StudyCatalog(inputs: [], variants: [.init(arch: "srresnet", scale: 2)])
        #expect(noInputs.draw() == nil)
    }

    @Test func reportJSONHasSnakeCaseKeysAndTotals() throws {
        let report = StudyReport(
            results: [StudyResult(arch: "srresnet", scale: 4, real: 7, binary: 3, same: 0)],
            exclusions: [.tooFast: 2], rules: StudyRules(minViewSeconds: 2, sessionsPerMinute: 4, pairsPerMinute: 30))
        let object = try #require(JSONSerialization.jsonObject(with: Data(try report.json())) as? [String: Any])
        #expect(object["total_votes"] as? Int == 10)
        #expect(object["excluded_votes"] as? Int == 2)
        #expect(object["exclusions"] as? [String: Int] == ["too_fast": 2, "images_not_fetched": 0, "unverified": 0])
        let rules = try #require(object["rules"] as? [String: Any])
        #expect(rules["min_view_seconds"] as? Double == 2)
        #expect(rules["sessions_per_minute"] as? Int == 4)
        let row = try #require((object["results"] as? [[String: Any]])?.first)
        #expect(row["arch"] as? String == "srresnet")
        let real = try #require(row["real"] as? [String: Any])
        #expect(real["share"] as? Double == 0.7)
        // 7 of 10: the hand-computed Wilson interval of WilsonIntervalTests.
        #expect(abs(try #require(real["lower"] as? Double) - 0.39677) <= 0.00001)
        let decisive = try #require(row["binary_among_decisive"] as? [String: Any])
        #expect(decisive["trials"] as? Int == 10)
    }
}

