import Foundation
import TestSupport
import Testing

@testable import SREngine

/// Weight/IO pairs the engine is checked against: the tiny PyTorch-made ones in Fixtures/engine and, once the
/// training branch exports them, the golden vectors in Fixtures/golden.
enum EngineFixtures {
    struct Case {
        let name: String
        let weights: URL
        let io: URL
    }

    static let engineDirectory = TestPaths.fixtures.appendingPathComponent("engine")
    static let goldenDirectory = TestPaths.fixtures.appendingPathComponent("golden")

    static func cases(in directory: URL) -> [Case] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".io.safetensors") }.sorted().map { io in
            let name = String(io.dropLast(".io.safetensors".count))
            return Case(name: name, weights: directory.appendingPathComponent("\(name).safetensors"),
                        io: directory.appendingPathComponent(io))
        }
    }

    static var tiny: [Case] { cases(in: engineDirectory) }
    static var golden: [Case] { cases(in: goldenDirectory) }

    static func tensor(_ file: SafeTensorsFile, _ name: String) throws -> Tensor {
        let shape = try #require(file.entries[name]?.shape)
        return Tensor(channels: shape[0], height: shape[1], width: shape[2], data: try file.floats(name, shape: shape))
    }

    /// Expected outputs in NetworkGraph order (coarse to fine).
    static func expectedOutputs(_ io: SafeTensorsFile) throws -> [Tensor] {
        var result: [Tensor] = []
        if io.entries["output_x2"] != nil { result.append(try tensor(io, "output_x2")) }
        result.append(try tensor(io, "output"))
        return result
    }

    static func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.data.count == b.data.count)
        return zip(a.data, b.data).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// The file's bytes with its JSON header edited, the data section untouched.
    static func rewritingHeader(of url: URL, _ edit: (inout [String: Any]) -> Void) throws -> Data {
        let bytes = try Data(contentsOf: url)
        let length = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var header = try #require(try JSONSerialization.jsonObject(with: bytes[8..<8 + length]) as? [String: Any])
        edit(&header)
        return safetensors(header: header, data: bytes[(8 + length)...])
    }

    static func safetensors(header: [String: Any], data: Data) -> Data {
        let json = try! JSONSerialization.data(withJSONObject: header)
        var out = Data()
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(data)
        return out
    }
}
