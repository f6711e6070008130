import Foundation
import TestSupport
import Testing

@testable import HTTPServer

/// Randomised (property-based) tests of the two parsers: seeded mutations of the regression corpus in
/// Tests/Fixtures/http, fixed seeds and a time bound so a run is reproducible and fast. A failing input is printed
/// in hex; add it to the corpus when fixing it.
@Suite("Parser fuzzing (seeded)")
struct ParserFuzzTests {
    static let seeds: [UInt64] = [1, 2, 3, 0xB1_5E]
    static let iterationsPerSeed = 5000
    static let timeBudgetSeconds = 4.0

    static func corpus(_ folder: String) -> [[UInt8]] {
        let url = TestPaths.fixtures.appendingPathComponent("http/\(folder)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.sorted().compactMap { try? Array(Data(contentsOf: url.appendingPathComponent($0))) }
    }

    /// Byte-level mutations biased towards HTTP's delimiters, where parsers go wrong.
    static func mutate(_ input: [UInt8], _ rng: inout SeededGenerator, pool: [[UInt8]]) -> [UInt8] {
        var bytes = input
        let interesting = Array("\r\n:; ,\t0-+9aF\"=".utf8) + [0, 0x7F, 0x80, 0xFF]
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[position] = interesting.randomElement(using: &rng)!
            case 1: bytes.insert(interesting.randomElement(using: &rng)!, at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            case 3 where !bytes.isEmpty: bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 4:  // duplicate a slice (repeats headers, chunks, boundaries)
                let end = min(bytes.count, position + Int.random(in: 1...40, using: &rng))
                bytes.insert(contentsOf: Array(bytes[position..<end]), at: position)
            case 5:  // splice in part of another corpus entry
                let other = pool.randomElement(using: &rng)!
                let start = Int.random(in: 0..<max(1, other.count), using: &rng)
                bytes.insert(contentsOf: other[start..<min(other.count, start + 30)], at: position)
            default:
                let header = [
                    "Content-Length: 3\r\n", "Transfer-Encoding: chunked\r\n", "Host: x\r\n",
                    "Expect: 100-continue\r\n", " folded\r\n",
                ].randomElement(using: &rng)!
                bytes.insert(contentsOf: Array(header.utf8), at: position)
            }
        }
        return bytes
    }

    @Test func requestParserIsSplitInvariantAndNeverDeliversAmbiguousFraming() {
        let pool = Self.corpus("corpus")
        #expect(pool.count >= 5)
        var limits = ServerLimits()
        limits.maxBodyBytes = 64
        limits.maxHeaderBytes = 512
        let deadline = Date().addingTimeInterval(Self.timeBudgetSeconds)
        var runs = 0
        for seed in Self.seeds {
            var rng = SeededGenerator(seed: seed)
            for _ in 0..<Self.iterationsPerSeed where Date() < deadline {
                let input = Self.mutate(pool.randomElement(using: &rng)!, &rng, pool: pool)
                let whole = parse(input, limits: limits)
                let cuts = (0..<3).map { _ in Int.random(in: 0...input.count, using: &rng) }.sorted()
                let split = parse(input, cuts: cuts, limits: limits)
                runs += 1
                #expect(split == whole, "split-dependent outcome for \(hex(input)) cut at \(cuts)")
                for message in whole.messages {
                    let headers = message.headers
                    let smuggled = headers.contains(.contentLength) && headers.contains(.transferEncoding)
                    #expect(!smuggled, "delivered CL+TE: \(hex(input))")
                    #expect(message.body.count <= limits.maxBodyBytes)
                    if case .contentLength(let length) = message.head.framing {
                        #expect(message.body.count == length)
                    }
                    if message.head.minorVersion == 1 { #expect(headers[values: .hostField].count == 1) }
                }
            }
        }
        #expect(runs > 1000, "fuzz budget too small to mean anything (\(runs) runs)")
        print("request parser fuzz: \(runs) mutated inputs, each parsed whole and split, no finding")
    }

    @Test func multipartParserNeverLetsADelimiterIntoAPart() throws {
        let pool = Self.corpus("multipart-corpus")
        #expect(pool.count >= 2)
        let parser = try MultipartParser(boundary: "XyZ")
        let delimiter = Array("\r\n--XyZ".utf8)
        let deadline = Date().addingTimeInterval(Self.timeBudgetSeconds)
        var runs = 0
        for seed in Self.seeds {
            var rng = SeededGenerator(seed: seed)
            for _ in 0..<Self.iterationsPerSeed where Date() < deadline {
                let input = Self.mutate(pool.randomElement(using: &rng)!, &rng, pool: pool)
                runs += 1
                guard let parts = try? parser.parse(input) else { continue }
                for part in parts {
                    #expect(MultipartParser.find(delimiter, in: part.body, from: 0) == nil, "\(hex(input))")
                }
            }
        }
        #expect(runs > 1000)
        print("multipart parser fuzz: \(runs) mutated inputs, no finding")
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined() }
